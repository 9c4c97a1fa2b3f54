//! Who may sign or log in how often, and who may not at all. Addresses are
//! held in memory only, and only as long as a limit needs them: the ledger
//! never learns them.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sliding windows per key: at most `count` events in any `window`.
pub struct RateLimit {
    limits: Vec<(usize, Duration)>,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimit {
    pub fn new(limits: &[(u32, u32)]) -> Self {
        let limits =
            limits.iter().map(|&(n, s)| (n as usize, Duration::from_secs(s.into()))).collect();
        RateLimit { limits, seen: Mutex::new(HashMap::new()) }
    }

    /// Counts an event of `key` now, unless a limit refuses it.
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: &str, now: Instant) -> bool {
        let Some(longest) = self.limits.iter().map(|(_, w)| *w).max() else { return true };
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        // Forgets the addresses no window needs any more, now and then.
        if seen.len() > 10_000 {
            seen.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < longest));
        }
        let times = seen.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= longest) {
            times.pop_front();
        }
        let refused = self.limits.iter().any(|(count, window)| {
            times.iter().filter(|t| now.duration_since(**t) < *window).count() >= *count
        });
        if !refused {
            times.push_back(now);
        }
        !refused
    }
}

/// The key an address is limited by: IPv6 clients by their /64, which one
/// household or machine gets whole.
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client of a request: the peer, or, when the peer is a trusted proxy,
/// the last address in `X-Forwarded-For` that is not one.
pub fn client(peer: IpAddr, forwarded: Option<&str>, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(forwarded) = forwarded else { return peer };
    let mut client = peer;
    for hop in forwarded.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // A hop that is no address is where the chain can no longer be
            // trusted: the last good one is the client.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_a_minute_and_five_in_five_minutes() {
        let limit = RateLimit::new(&[(1, 60), (5, 300)]);
        let start = Instant::now();
        assert!(limit.allow_at("a", start));
        assert!(!limit.allow_at("a", start + Duration::from_secs(30)));
        assert!(limit.allow_at("b", start + Duration::from_secs(30)));
        for minute in 1..5 {
            assert!(limit.allow_at("a", start + Duration::from_secs(60 * minute)), "{minute}");
        }
        // Five in the last five minutes.
        assert!(!limit.allow_at("a", start + Duration::from_secs(299)));
        assert!(limit.allow_at("a", start + Duration::from_secs(301)));
        assert!(RateLimit::new(&[]).allow("x"));
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: ipnet::IpNet = "10.0.0.0/8".parse().unwrap();
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let outsider: IpAddr = "198.51.100.7".parse().unwrap();
        let header = Some("203.0.113.9, 198.51.100.7, 10.0.0.3");
        assert_eq!(client(peer, header, &[proxy]), outsider);
        assert_eq!(client(outsider, Some("203.0.113.9"), &[proxy]), outsider);
        assert_eq!(client(peer, header, &[]), peer);
        assert_eq!(client(peer, Some("junk"), &[proxy]), peer);
        assert_eq!(client_key("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1:2::/64");
    }
}
