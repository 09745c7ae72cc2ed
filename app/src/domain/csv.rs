//! CSV as the offices open it: in Excel, from files parties and staff typed.

/// A CSV cell: quoted when CSV needs it (RFC 4180), and text a spreadsheet would
/// run as a formula (= + - @, tab, CR first) kept as text by a leading apostrophe.
pub fn csv_cell(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_when_needed_and_never_run_as_formulas() {
        assert_eq!(csv_cell("张三"), "张三");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("说\"不\""), "\"说\"\"不\"\"\"");
        assert_eq!(csv_cell("一\n二"), "\"一\n二\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                csv_cell(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
    }
}
