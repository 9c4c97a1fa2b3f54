//! Connections and what every response gets: hyper serves each connection
//! with a deadline for its headers (a client that sends them slowly is cut
//! off), every request has a deadline of its own and a body limit, every
//! response the security headers, and each request one log line (method,
//! path without its query, status, time: never an address or a token).

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::console::escape_controls;

/// The time a client has to send a request's headers.
const HEADERS_WITHIN: Duration = Duration::from_secs(10);
/// The time a request has, its body read included.
const REQUEST_WITHIN: Duration = Duration::from_secs(20);
/// The time requests under way have to end when the server stops.
const DRAIN_WITHIN: Duration = Duration::from_secs(15);
/// The pause after a failed accept.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);
/// The largest request body: a form's fields at the list's own limits.
pub const MAX_BODY: usize = 16 * 1024;

/// The connection's other end, for the rate limits.
#[derive(Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// Serves connections until `stop` resolves, then lets the requests under
/// way finish.
pub async fn serve(listener: TcpListener, router: Router, stop: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADERS_WITHIN).max_buf_size(64 * 1024);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors, most likely: trying
                        // again at once would only spin; the header
                        // deadline frees idle connections meanwhile.
                        note!("cannot accept a connection: {err}");
                        tokio::time::sleep(ACCEPT_PAUSE).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(router.clone().layer(axum::Extension(Peer(peer))));
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN_WITHIN) => note!("requests still under way were cut off"),
    }
}

/// The deadline, the security headers and the log line.
pub async fn around(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = escape_controls(request.uri().path());
    let mut response = match tokio::time::timeout(REQUEST_WITHIN, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "request timed out\n").into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (header::HeaderName::from_static("permissions-policy"), "interest-cohort=()"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    eprintln!(
        "{method} {path} {} {:.1} ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}
