//! The placeholder words of a new letter (`openletter new --lang X`), in
//! the languages the template has labels for (`letter/labels.typ`): a
//! French coalition starts from a French page, not an English one.

/// The words `new` writes into a letter's `main.typ`, to replace.
pub struct Starter {
    /// The title.
    pub title: &'static str,
    /// The addressee line.
    pub recipient: &'static str,
    /// The first line of the text.
    pub write_here: &'static str,
    /// The words of the example link.
    pub link: &'static str,
    /// The logo's alt text, with `{}` for the coalition's name.
    pub logo: &'static str,
}

/// The words in `lang` (a tag's language part), or `None` where there are
/// none yet.
pub fn words(lang: &str) -> Option<Starter> {
    let (title, recipient, write_here, link, logo) = match lang {
        "en" => ("Open letter", "To …", "Write the letter here.", "A link", "The logo of {}"),
        "de" => ("Offener Brief", "An …", "Hier steht der Brief.", "Ein Link", "Das Logo von {}"),
        "fr" => ("Lettre ouverte", "À …", "Écrivez la lettre ici.", "Un lien", "Le logo de {}"),
        "es" => {
            ("Carta abierta", "A …", "Escriba aquí la carta.", "Un enlace", "El logotipo de {}")
        }
        "it" => ("Lettera aperta", "A …", "Scrivete qui la lettera.", "Un link", "Il logo di {}"),
        "nl" => ("Open brief", "Aan …", "Schrijf hier de brief.", "Een link", "Het logo van {}"),
        "pt" => ("Carta aberta", "A …", "Escreva aqui a carta.", "Uma ligação", "O logótipo de {}"),
        "pl" => ("List otwarty", "Do …", "Tu wpisz treść listu.", "Odnośnik", "Logo: {}"),
        "sv" => ("Öppet brev", "Till …", "Skriv brevet här.", "En länk", "Logotypen för {}"),
        "da" => ("Åbent brev", "Til …", "Skriv brevet her.", "Et link", "Logoet for {}"),
        "bg" => ("Отворено писмо", "До …", "Напишете писмото тук.", "Връзка", "Логото на {}"),
        "cs" => ("Otevřený dopis", "Komu: …", "Sem napište dopis.", "Odkaz", "Logo: {}"),
        "et" => ("Avalik kiri", "Kellele: …", "Kirjutage kiri siia.", "Link", "Logo: {}"),
        "fi" => ("Avoin kirje", "Vastaanottaja: …", "Kirjoita kirje tähän.", "Linkki", "Logo: {}"),
        "el" => (
            "Ανοιχτή επιστολή",
            "Προς …",
            "Γράψτε εδώ την επιστολή.",
            "Ένας σύνδεσμος",
            "Το λογότυπο: {}",
        ),
        "ga" => ("Litir oscailte", "Chuig …", "Scríobh an litir anseo.", "Nasc", "Lógó: {}"),
        "hr" => ("Otvoreno pismo", "Za …", "Ovdje napišite pismo.", "Poveznica", "Logotip: {}"),
        "hu" => ("Nyílt levél", "Címzett: …", "Ide írja a levelet.", "Egy hivatkozás", "Logó: {}"),
        "lt" => ("Atviras laiškas", "Kam: …", "Čia parašykite laišką.", "Nuoroda", "Logotipas: {}"),
        "lv" => ("Atklāta vēstule", "Kam: …", "Šeit rakstiet vēstuli.", "Saite", "Logotips: {}"),
        "mt" => ("Ittra miftuħa", "Lil …", "Ikteb l-ittra hawn.", "Link", "Il-logo ta’ {}"),
        "ro" => {
            ("Scrisoare deschisă", "Către …", "Scrieți scrisoarea aici.", "Un link", "Sigla: {}")
        }
        "sk" => ("Otvorený list", "Komu: …", "Sem napíšte list.", "Odkaz", "Logo: {}"),
        "sl" => ("Odprto pismo", "Za …", "Tu napišite pismo.", "Povezava", "Logotip: {}"),
        "ru" => ("Открытое письмо", "Кому: …", "Напишите письмо здесь.", "Ссылка", "Логотип: {}"),
        "zh" => ("公开信", "致……", "在此撰写信函。", "链接", "标志：{}"),
        "ar" => ("رسالة مفتوحة", "إلى …", "اكتب الرسالة هنا.", "رابط", "شعار {}"),
        "he" => ("מכתב פתוח", "אל …", "כתבו כאן את המכתב.", "קישור", "הלוגו של {}"),
        _ => return None,
    };
    Some(Starter { title, recipient, write_here, link, logo })
}

#[cfg(test)]
mod tests {
    use super::words;

    /// The languages of the template's label sets, each with its words here.
    #[test]
    fn every_language_with_labels_has_starter_words() {
        let labels = include_str!("../../letter/labels.typ");
        let start = labels.find("#let label-sets = (").unwrap();
        let end = start + labels[start..].find("\n)\n").unwrap();
        let sets: Vec<&str> = labels[start..end]
            .lines()
            .filter_map(|line| line.strip_prefix("  ")?.strip_suffix(": ("))
            .filter(|key| key.len() == 2)
            .collect();
        assert!(sets.len() >= 28, "{sets:?}");
        for lang in sets {
            let starter = words(lang).unwrap_or_else(|| panic!("no starter words in `{lang}`"));
            assert!(starter.logo.contains("{}"), "{lang}");
        }
        assert!(words("sw").is_none());
    }
}
