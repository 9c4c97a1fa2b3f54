//! Ten thousand signatories build, all of them listed, in collated order.
//! (How fast is measured by the benchmark, not here.)

use crate::common::Scratch;
use crate::pdf::Pdf;

#[test]
fn ten_thousand_signatories() {
    let s = Scratch::new();
    let mut toml = String::new();
    // Written in reverse so that the order in the PDF comes from collation.
    for i in (0..10_000).rev() {
        toml.push_str(&format!(
            "[[individual]]\nname = \"Person {i:05} Zed\"\nsort_as = \"Zed {i:05}\"\naffiliation = \"Institute {}\"\n\n",
            i % 97
        ));
    }
    s.write("signatories.toml", &toml);
    let run = s.run(&["build", "--date", "2025-02-13", "-o", "big.pdf"]).ok();
    assert!(run.stderr.contains("10000 signatories"), "{}", run.stderr);
    let pdf = Pdf::open(&s.path("big.pdf"));
    assert!(pdf.page_count() > 100, "{} pages", pdf.page_count());
    let last_page = pdf.page_text(pdf.page_count() as u32);
    assert!(last_page.contains("Person 09999 Zed, Institute"), "{last_page}");
    let first_list_page = pdf.page_text(3);
    let a = first_list_page.find("Person 00000 Zed").expect("first entry on page 3");
    let b = first_list_page.find("Person 00001 Zed").expect("second entry on page 3");
    assert!(a < b);
}
