//! 批量导入 importing cases from a CSV file that an office exported from its
//! spreadsheet.
//!
//! The import is all-or-nothing: [`parse_cases`] reads the whole file into an
//! [`ImportPreview`] that names every problem with its line, and the caller
//! writes nothing unless [`ImportPreview::is_valid`]. A half-imported file
//! would leave the office unsure which cases are in and which are not.
//!
//! The preview types in [`types`] are shared with the browser (serde only);
//! reading the file needs `csv` and `encoding_rs` and is server-only (`ssr`).

use crate::domain::csv::csv_cell;
pub use types::*;

#[cfg(feature = "ssr")]
pub use read::*;

/// What the browser and the server both see: the preview and its errors.
pub mod types {
    use crate::domain::case::{CaseDraft, CaseField, CaseFieldError};
    use serde::{Deserialize, Serialize};

    /// More rows than this is refused: one import is one office's backlog, and
    /// a preview of tens of thousands of rows cannot be checked by a person anyway.
    pub const MAX_ROWS: usize = 10_000;

    /// Every column a file may have, in the order of the template.
    pub const COLUMNS: [CaseField; 13] = [
        CaseField::Number,
        CaseField::Title,
        CaseField::Petitioners,
        CaseField::Agencies,
        CaseField::Summary,
        CaseField::ReceivedOn,
        CaseField::AcceptedOn,
        CaseField::Category,
        CaseField::District,
        CaseField::Risk,
        CaseField::Class,
        CaseField::Status,
        CaseField::Investigator,
    ];

    /// The columns without which a row cannot become a case.
    pub const REQUIRED_COLUMNS: [CaseField; 5] = [
        CaseField::Number,
        CaseField::Title,
        CaseField::Petitioners,
        CaseField::Agencies,
        CaseField::ReceivedOn,
    ];

    /// The text encoding the file turned out to be in, shown in the preview so a
    /// person can tell why the names look wrong if a guess was wrong.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum SourceEncoding {
        Utf8,
        /// GB18030, a superset of GBK and GB2312: what Excel on Chinese Windows saves.
        Gb18030,
    }

    impl SourceEncoding {
        pub fn label(self) -> &'static str {
            match self {
                SourceEncoding::Utf8 => "UTF-8",
                SourceEncoding::Gb18030 => "GB18030 (GBK)",
            }
        }
    }

    /// Why a whole file was refused (nothing in it can be previewed).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
    #[serde(tag = "import_error", rename_all = "snake_case")]
    pub enum ImportError {
        #[error("the file is empty")]
        Empty,
        #[error("the file is neither UTF-8 nor GB18030 text")]
        Undecodable,
        #[error("too many rows")]
        TooManyRows { max: usize },
        #[error("the file has a header but no rows")]
        NoRows,
        #[error("required columns missing")]
        MissingColumns { columns: Vec<CaseField> },
        #[error("unknown column")]
        UnknownColumn { column: String },
        #[error("a column without a name")]
        UnnamedColumn {
            /// 1-based, as a spreadsheet counts columns.
            position: usize,
        },
        #[error("a column appears twice")]
        DuplicateColumn { column: String },
        #[error("the file is not readable as CSV")]
        Malformed { line: u64 },
    }

    impl ImportError {
        pub fn message_zh(&self) -> String {
            match self {
                ImportError::Empty => "文件是空的".into(),
                ImportError::Undecodable => {
                    "无法识别文件的编码：请在 Excel 中「另存为」CSV（UTF-8 或 GBK 编码）后再导入"
                        .into()
                }
                ImportError::TooManyRows { max } => {
                    format!("一次最多导入 {max} 条事项，请把文件拆分后分批导入")
                }
                ImportError::NoRows => "文件中只有表头，没有要导入的事项".into(),
                ImportError::MissingColumns { columns } => {
                    format!("缺少必填列：{}", quoted_zh(columns))
                }
                ImportError::UnknownColumn { column } => format!(
                    "表头有无法识别的列「{column}」。可用的列：{}",
                    column_list(CaseField::label_zh, "、")
                ),
                ImportError::UnnamedColumn { position } => {
                    format!("表头的第 {position} 列没有列名")
                }
                ImportError::DuplicateColumn { column } => {
                    format!("表头中「{column}」列出现了不止一次")
                }
                ImportError::Malformed { line } => {
                    format!("第 {line} 行附近的 CSV 格式有误，无法读取")
                }
            }
        }

        pub fn message_en(&self) -> String {
            match self {
                ImportError::Empty => "The file is empty".into(),
                ImportError::Undecodable => "The file's text encoding was not recognised: \
                     save it from Excel as CSV (UTF-8 or GBK) and import it again"
                    .into(),
                ImportError::TooManyRows { max } => {
                    format!("At most {max} cases can be imported at once: split the file")
                }
                ImportError::NoRows => "The file has a header row but no cases".into(),
                ImportError::MissingColumns { columns } => {
                    format!("Required columns missing: {}", quoted_en(columns))
                }
                ImportError::UnknownColumn { column } => format!(
                    "The header has an unknown column “{column}”. Known columns: {}",
                    column_list(CaseField::label_en, ", ")
                ),
                ImportError::UnnamedColumn { position } => {
                    format!("Column {position} of the header has no name")
                }
                ImportError::DuplicateColumn { column } => {
                    format!("The column “{column}” appears more than once in the header")
                }
                ImportError::Malformed { line } => {
                    format!("The CSV cannot be read near line {line}")
                }
            }
        }
    }

    fn quoted_zh(fields: &[CaseField]) -> String {
        fields
            .iter()
            .map(|f| format!("「{}」", f.label_zh()))
            .collect()
    }

    fn quoted_en(fields: &[CaseField]) -> String {
        let names: Vec<String> = fields
            .iter()
            .map(|f| format!("“{}”", f.label_en()))
            .collect();
        names.join(", ")
    }

    fn column_list(label: fn(CaseField) -> &'static str, separator: &str) -> String {
        let names: Vec<&str> = COLUMNS.iter().map(|f| label(*f)).collect();
        names.join(separator)
    }

    /// One thing wrong with one row. Messages leave out the line: the table shows
    /// it beside them, and [`PreviewRow::messages_zh`] puts it in front.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
    #[serde(tag = "row_error", rename_all = "snake_case")]
    pub enum RowError {
        /// A rule of [`CaseDraft::validate`].
        #[error("{0}")]
        Field(CaseFieldError),
        #[error("a required cell is empty")]
        Required { column: CaseField },
        #[error("not a date")]
        BadDate { column: CaseField, value: String },
        #[error("unknown value")]
        UnknownValue {
            column: CaseField,
            value: String,
            /// The Chinese labels a cell may hold (codes are accepted too).
            allowed: Vec<String>,
        },
        #[error("no such account")]
        UnknownInvestigator { username: String },
        #[error("case number already exists")]
        NumberExists { number: String },
        #[error("case number repeated in the file")]
        NumberRepeated { number: String, first_line: usize },
        #[error("wrong number of cells")]
        CellCount { expected: usize, found: usize },
    }

    impl RowError {
        pub fn message_zh(&self) -> String {
            match self {
                RowError::Field(e) => e.message_zh(),
                RowError::Required { column } => format!("请填写「{}」", column.label_zh()),
                RowError::BadDate { column, value } => {
                    format!("「{}」不是有效日期：{value}", column.label_zh())
                }
                RowError::UnknownValue {
                    column,
                    value,
                    allowed,
                } => format!(
                    "「{}」无法识别：{value}；可填：{}",
                    column.label_zh(),
                    allowed.join("、")
                ),
                RowError::UnknownInvestigator { username } => {
                    format!("承办人「{username}」不是本系统的账号（请填写账号的用户名）")
                }
                RowError::NumberExists { number } => {
                    format!("编号为「{number}」的信访事项已经存在")
                }
                RowError::NumberRepeated { number, first_line } => {
                    format!("编号「{number}」与第 {first_line} 行重复")
                }
                RowError::CellCount { expected, found } => {
                    format!("本行有 {found} 格，而表头有 {expected} 列")
                }
            }
        }

        pub fn message_en(&self) -> String {
            match self {
                RowError::Field(e) => e.message_en(),
                RowError::Required { column } => format!("Fill in “{}”", column.label_en()),
                RowError::BadDate { column, value } => {
                    format!("“{}” is not a valid date: {value}", column.label_en())
                }
                RowError::UnknownValue {
                    column,
                    value,
                    allowed,
                } => format!(
                    "“{}” is not understood: {value}; allowed: {}",
                    column.label_en(),
                    allowed.join(", ")
                ),
                RowError::UnknownInvestigator { username } => format!(
                    "Investigator “{username}” is not an account here (enter the account's username)"
                ),
                RowError::NumberExists { number } => {
                    format!("A case numbered “{number}” already exists")
                }
                RowError::NumberRepeated { number, first_line } => {
                    format!("Case number “{number}” already appears on line {first_line}")
                }
                RowError::CellCount { expected, found } => {
                    format!("This line has {found} cells but the header has {expected} columns")
                }
            }
        }
    }

    /// One data row of the file as it would be imported.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct PreviewRow {
        /// 1-based line in the file where the row starts (the header is line 1
        /// when the file does not begin with blank lines).
        pub line: usize,
        /// The tidy case, when the row's cells make a valid case on their own;
        /// clashes with other rows or the database are only in `errors`.
        pub draft: Option<CaseDraft>,
        pub errors: Vec<RowError>,
    }

    impl PreviewRow {
        /// "第 5 行：「收件日期」不是有效日期：2026-13-01"
        pub fn messages_zh(&self) -> Vec<String> {
            self.errors
                .iter()
                .map(|e| format!("第 {} 行：{}", self.line, e.message_zh()))
                .collect()
        }

        /// "Line 5: “received on” is not a valid date: 2026-13-01"
        pub fn messages_en(&self) -> Vec<String> {
            self.errors
                .iter()
                .map(|e| format!("Line {}: {}", self.line, e.message_en()))
                .collect()
        }
    }

    /// The whole file as it would be imported, shown before anything is written.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ImportPreview {
        pub encoding: SourceEncoding,
        /// The file's columns, in its order (the preview table shows these).
        pub columns: Vec<CaseField>,
        pub rows: Vec<PreviewRow>,
    }

    impl ImportPreview {
        /// Whether the file may be imported: at least one row and no error anywhere.
        pub fn is_valid(&self) -> bool {
            !self.rows.is_empty()
                && self
                    .rows
                    .iter()
                    .all(|r| r.errors.is_empty() && r.draft.is_some())
        }

        pub fn error_count(&self) -> usize {
            self.rows.iter().map(|r| r.errors.len()).sum()
        }

        /// Every error of the file, each with its line, in file order.
        pub fn messages_zh(&self) -> Vec<String> {
            self.rows.iter().flat_map(PreviewRow::messages_zh).collect()
        }

        pub fn messages_en(&self) -> Vec<String> {
            self.rows.iter().flat_map(PreviewRow::messages_en).collect()
        }

        /// The cases to write: all of them, or none when the preview is not
        /// valid, so a caller cannot import half a file by mistake.
        pub fn drafts(self) -> Vec<CaseDraft> {
            if !self.is_valid() {
                return Vec::new();
            }
            self.rows.into_iter().filter_map(|r| r.draft).collect()
        }
    }
}

/// A file to start from (the "下载模板" button): the Chinese header and one
/// example row that says it is one. Starts with a byte-order mark so that Excel
/// opens it as UTF-8 instead of guessing GBK and showing garbage.
pub fn template_csv() -> String {
    use crate::domain::case::CaseField;
    let header: Vec<&str> = COLUMNS.iter().map(|f| f.label_zh()).collect();
    let example = COLUMNS.map(|field| match field {
        CaseField::Number => "示例信访〔2026〕1号",
        CaseField::Title => "示例：某村土地征收补偿争议（导入前请删除本行）",
        CaseField::Petitioners => "张建国、李秀英",
        CaseField::Agencies => "某市自然资源和规划局",
        CaseField::Summary => "要求按新标准补偿，并公开补偿依据",
        CaseField::ReceivedOn => "2026-11-02",
        CaseField::AcceptedOn => "2026-11-05",
        CaseField::Category => "征地拆迁",
        CaseField::District => "硖石街道",
        CaseField::Risk => "黄",
        CaseField::Class => "B类",
        CaseField::Status => "办理中",
        CaseField::Investigator => "",
    });
    let example: Vec<String> = example.iter().map(|cell| csv_cell(cell)).collect();
    format!("\u{feff}{}\r\n{}\r\n", header.join(","), example.join(","))
}

#[cfg(feature = "ssr")]
mod read {
    use super::types::*;
    use crate::domain::case::{
        CalendarDate, CaseDraft, CaseField, CaseStatus, Coded, ProgressClass, RiskColour,
        collapse_spaces, split_names,
    };
    use std::collections::{HashMap, HashSet};

    /// What the import needs to know from the database. Synchronous on purpose:
    /// load the accounts and the existing numbers first (see [`Known`]), then
    /// parse; the parse itself does no IO.
    pub trait ImportContext {
        /// The account id of the staff account with this username, if any.
        fn account_id(&self, username: &str) -> Option<String>;
        /// Whether a case with this (tidy) number is already in the database.
        fn number_exists(&self, number: &str) -> bool;
    }

    /// An [`ImportContext`] loaded beforehand: username → account id, and the
    /// case numbers already taken.
    #[derive(Clone, Debug, Default)]
    pub struct Known {
        pub accounts: HashMap<String, String>,
        pub numbers: HashSet<String>,
    }

    impl ImportContext for Known {
        fn account_id(&self, username: &str) -> Option<String> {
            self.accounts.get(username).cloned()
        }
        fn number_exists(&self, number: &str) -> bool {
            self.numbers.contains(number)
        }
    }

    /// A file's text and the encoding it was read in.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Decoded {
        pub text: String,
        pub encoding: SourceEncoding,
    }

    const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

    /// UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else GB18030.
    /// Valid UTF-8 is almost never valid-looking GBK by accident, so trying UTF-8
    /// first is safe; GB18030 covers GBK and GB2312, what Excel saves on Chinese
    /// Windows. A file that claims UTF-8 with a BOM but is not is refused rather
    /// than reinterpreted.
    pub fn decode(bytes: &[u8]) -> Result<Decoded, ImportError> {
        let (text, encoding) = match bytes.strip_prefix(UTF8_BOM) {
            Some(body) => (
                utf8(body).ok_or(ImportError::Undecodable)?,
                SourceEncoding::Utf8,
            ),
            None => match utf8(bytes) {
                Some(text) => (text, SourceEncoding::Utf8),
                None => (gb18030(bytes)?, SourceEncoding::Gb18030),
            },
        };
        if text.trim().is_empty() {
            return Err(ImportError::Empty);
        }
        Ok(Decoded { text, encoding })
    }

    fn utf8(bytes: &[u8]) -> Option<String> {
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    }

    fn gb18030(bytes: &[u8]) -> Result<String, ImportError> {
        let text = encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(ImportError::Undecodable)?;
        // GB18030 has a byte-order mark of its own; it decodes to U+FEFF.
        Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
    }

    /// Reads the file into a preview of every row. Fails as a whole only when
    /// the file cannot be read or its header is wrong; problems of single rows
    /// are in the preview.
    pub fn parse_cases(
        bytes: &[u8],
        ctx: &dyn ImportContext,
    ) -> Result<ImportPreview, ImportError> {
        let decoded = decode(bytes)?;
        let records = read_records(&decoded.text)?;
        let Some((header, data)) = records.split_first() else {
            return Err(ImportError::Empty);
        };
        let columns = read_header(&header.cells)?;
        if data.is_empty() {
            return Err(ImportError::NoRows);
        }
        let mut seen = HashMap::new();
        let rows = data
            .iter()
            .map(|record| read_row(record, &columns, ctx, &mut seen))
            .collect();
        Ok(ImportPreview {
            encoding: decoded.encoding,
            columns,
            rows,
        })
    }

    /// One non-blank CSV record and the line it starts on.
    pub(crate) struct Record {
        pub(crate) line: usize,
        pub(crate) cells: Vec<String>,
    }

    /// Every non-blank record, the header first. Stops as soon as there are
    /// more data rows than [`MAX_ROWS`], so a huge file costs little.
    pub(crate) fn read_records(text: &str) -> Result<Vec<Record>, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut lines = LineCounter::default();
        let mut records = Vec::new();
        for result in reader.records() {
            let record = result.map_err(|e| ImportError::Malformed {
                line: e.position().map_or(0, csv::Position::line),
            })?;
            let cells: Vec<String> = record.iter().map(normalise_newlines).collect();
            // Spreadsheets export empty rows as ",,,,": they are blank lines too.
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if records.len() > MAX_ROWS {
                return Err(ImportError::TooManyRows { max: MAX_ROWS });
            }
            let start = record.position().map_or(0, csv::Position::byte);
            let line = lines.line_at(text.as_bytes(), usize::try_from(start).unwrap_or(0));
            records.push(Record { line, cells });
        }
        Ok(records)
    }

    /// The line a record starts on. `csv` reports where a record starts as the
    /// byte after the previous one ends, which with CRLF is the `\n` and before
    /// any blank lines; its own line count lags behind for the same reason. So
    /// lines are counted here: `\r\n`, `\n` and a lone `\r` each end a line.
    #[derive(Default)]
    struct LineCounter {
        offset: usize,
        line: usize,
    }

    impl LineCounter {
        /// Moves forward to `from`, then past line breaks to the record's first byte.
        fn line_at(&mut self, text: &[u8], from: usize) -> usize {
            let mut end = from.clamp(self.offset, text.len());
            while matches!(text.get(end), Some(b'\r' | b'\n')) {
                end += 1;
            }
            self.line += line_breaks(&text[self.offset..end]);
            self.offset = end;
            self.line + 1
        }
    }

    fn line_breaks(bytes: &[u8]) -> usize {
        let lone_cr = bytes
            .windows(2)
            .filter(|pair| pair[0] == b'\r' && pair[1] != b'\n')
            .count()
            + usize::from(bytes.last() == Some(&b'\r'));
        bytes.iter().filter(|b| **b == b'\n').count() + lone_cr
    }

    /// Windows line breaks inside a quoted cell would be a control character
    /// (`\r`) that validation refuses; they are ordinary line breaks.
    fn normalise_newlines(cell: &str) -> String {
        cell.replace("\r\n", "\n").replace('\r', "\n")
    }

    /// Maps the header's names to fields. Trailing empty header cells are
    /// dropped (spreadsheets leave them); any other problem refuses the file.
    fn read_header(cells: &[String]) -> Result<Vec<CaseField>, ImportError> {
        let named = cells.len()
            - cells
                .iter()
                .rev()
                .take_while(|c| c.trim().is_empty())
                .count();
        let mut columns: Vec<CaseField> = Vec::with_capacity(named);
        for (index, name) in cells[..named].iter().enumerate() {
            let name = name.trim();
            if name.is_empty() {
                return Err(ImportError::UnnamedColumn {
                    position: index + 1,
                });
            }
            let field = column_named(name).ok_or_else(|| ImportError::UnknownColumn {
                column: name.to_owned(),
            })?;
            if columns.contains(&field) {
                return Err(ImportError::DuplicateColumn {
                    column: name.to_owned(),
                });
            }
            columns.push(field);
        }
        let missing: Vec<CaseField> = REQUIRED_COLUMNS
            .into_iter()
            .filter(|f| !columns.contains(f))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns { columns: missing });
        }
        Ok(columns)
    }

    /// The field a header names: Chinese exactly, English in any case, with
    /// spaces or hyphens for underscores ("Received On" = "received_on").
    pub fn column_named(name: &str) -> Option<CaseField> {
        let name = name.trim();
        let english = name.to_ascii_lowercase().replace([' ', '-'], "_");
        let field = match (name, english.as_str()) {
            ("编号", _) | (_, "number") => CaseField::Number,
            ("标题", _) | (_, "title") => CaseField::Title,
            ("信访人", _) | (_, "petitioners" | "petitioner") => CaseField::Petitioners,
            ("责任单位", _) | (_, "agencies" | "agency") => CaseField::Agencies,
            ("诉求", _) | (_, "summary" | "claim") => CaseField::Summary,
            ("收件日期", _) | (_, "received_on") => CaseField::ReceivedOn,
            ("受理日期", _) | (_, "accepted_on") => CaseField::AcceptedOn,
            ("类别", _) | (_, "category") => CaseField::Category,
            ("属地" | "镇街" | "所属镇街" | "乡镇街道" | "乡镇（街道）", _) | (_, "district") => {
                CaseField::District
            }
            ("风险等级" | "风险" | "三色", _) | (_, "risk" | "risk_colour" | "risk_color") => {
                CaseField::Risk
            }
            ("分类" | "类别等级" | "三类", _) | (_, "class") => CaseField::Class,
            ("状态", _) | (_, "status") => CaseField::Status,
            ("承办人", _) | (_, "investigator") => CaseField::Investigator,
            _ => return None,
        };
        Some(field)
    }

    /// The cells of one row by field; a missing column reads as an empty cell.
    struct Cells<'a> {
        columns: &'a [CaseField],
        cells: &'a [String],
    }

    impl Cells<'_> {
        fn get(&self, field: CaseField) -> &str {
            self.columns
                .iter()
                .position(|c| *c == field)
                .and_then(|i| self.cells.get(i))
                .map_or("", |c| c.trim())
        }
    }

    fn read_row(
        record: &Record,
        columns: &[CaseField],
        ctx: &dyn ImportContext,
        seen: &mut HashMap<String, usize>,
    ) -> PreviewRow {
        let row = |draft, errors| PreviewRow {
            line: record.line,
            draft,
            errors,
        };
        let cells = match aligned(&record.cells, columns.len()) {
            Ok(cells) => cells,
            Err(e) => return row(None, vec![e]),
        };
        let cells = Cells { columns, cells };
        let (draft, cell_errors) = build_draft(&cells, ctx);
        let clash = number_clash(&draft.number, record.line, ctx, seen);
        let (draft, mut errors) = match draft.validate() {
            Ok(tidy) => (cell_errors.is_empty().then_some(tidy), cell_errors),
            Err(field_errors) => {
                let mut errors = cell_errors;
                errors.extend(field_errors.into_iter().map(RowError::Field));
                (None, errors)
            }
        };
        // A clash does not take the draft away: the row itself is fine.
        errors.extend(clash);
        row(draft, errors)
    }

    /// The row's cells when they line up with the header. Extra cells that are
    /// all empty are fine (trailing commas); anything else means the row is
    /// shifted (an unquoted comma or line break) and cannot be trusted.
    fn aligned(cells: &[String], width: usize) -> Result<&[String], RowError> {
        let extra_empty = cells.len() > width && cells[width..].iter().all(|c| c.trim().is_empty());
        if cells.len() == width || extra_empty {
            Ok(&cells[..width])
        } else {
            Err(RowError::CellCount {
                expected: width,
                found: cells.len(),
            })
        }
    }

    /// The draft the cells describe, and what could not be read. A cell that
    /// cannot be read gets a stand-in that triggers no other rule, so that
    /// validation still reports the row's other problems.
    fn build_draft(cells: &Cells<'_>, ctx: &dyn ImportContext) -> (CaseDraft, Vec<RowError>) {
        let mut errors = Vec::new();
        let received_on = match cells.get(CaseField::ReceivedOn) {
            "" => {
                errors.push(RowError::Required {
                    column: CaseField::ReceivedOn,
                });
                None
            }
            raw => date_cell(CaseField::ReceivedOn, raw, &mut errors),
        };
        let accepted_on = match cells.get(CaseField::AcceptedOn) {
            "" => None,
            raw => Some(date_cell(CaseField::AcceptedOn, raw, &mut errors)),
        };
        // Stand-ins equal to each other, so "accepted before received" cannot fire.
        let received_on = received_on
            .or(accepted_on.flatten())
            .unwrap_or_else(|| CalendarDate::of_instant(0, 0));
        let accepted_on = accepted_on.map(|date| date.unwrap_or(received_on));
        let default_status = if accepted_on.is_some() {
            CaseStatus::Accepted
        } else {
            CaseStatus::Registered
        };
        let risk = coded_cell(
            cells,
            CaseField::Risk,
            RiskColour::Green,
            parse_risk,
            &mut errors,
        );
        let class = coded_cell(
            cells,
            CaseField::Class,
            ProgressClass::C,
            parse_class,
            &mut errors,
        );
        let status = coded_cell(
            cells,
            CaseField::Status,
            default_status,
            CaseStatus::parse_code,
            &mut errors,
        );
        let investigator_id =
            investigator_cell(cells.get(CaseField::Investigator), ctx, &mut errors);
        let draft = CaseDraft {
            number: cells.get(CaseField::Number).to_owned(),
            title: cells.get(CaseField::Title).to_owned(),
            petitioners: split_names(cells.get(CaseField::Petitioners)),
            agencies: split_names(cells.get(CaseField::Agencies)),
            summary: cells.get(CaseField::Summary).to_owned(),
            received_on,
            accepted_on,
            category: cells.get(CaseField::Category).to_owned(),
            district: cells.get(CaseField::District).to_owned(),
            risk,
            class,
            status,
            investigator_id,
        };
        (draft, errors)
    }

    fn date_cell(column: CaseField, raw: &str, errors: &mut Vec<RowError>) -> Option<CalendarDate> {
        let date = parse_date(raw);
        if date.is_none() {
            errors.push(RowError::BadDate {
                column,
                value: shorten(raw),
            });
        }
        date
    }

    /// `2026-11-02`, `2026/11/2`, `2026.11.2` (what [`CalendarDate`] reads), plus
    /// what Excel writes for a Chinese date cell: `2026年11月2日`, or a date
    /// with a time such as `2026/11/2 0:00`.
    pub fn parse_date(raw: &str) -> Option<CalendarDate> {
        let raw = raw.trim();
        if let Ok(date) = raw.parse() {
            return Some(date);
        }
        if let Some(chinese) = raw.strip_suffix('日') {
            return chinese.replace(['年', '月'], "-").parse().ok();
        }
        let (day, time) = raw.split_once(' ')?;
        let is_time =
            !time.trim().is_empty() && time.trim().chars().all(|c| c.is_ascii_digit() || c == ':');
        if is_time { day.parse().ok() } else { None }
    }

    fn coded_cell<T: Coded>(
        cells: &Cells<'_>,
        column: CaseField,
        default: T,
        parse: fn(&str) -> Option<T>,
        errors: &mut Vec<RowError>,
    ) -> T {
        let raw = cells.get(column);
        if raw.is_empty() {
            return default;
        }
        parse(raw).unwrap_or_else(|| {
            errors.push(RowError::UnknownValue {
                column,
                value: shorten(raw),
                allowed: T::ALL.iter().map(|v| v.label_zh().to_owned()).collect(),
            });
            default
        })
    }

    /// 红/黄/绿, also written 红色 in many offices' sheets.
    fn parse_risk(raw: &str) -> Option<RiskColour> {
        RiskColour::parse_code(raw).or_else(|| {
            raw.trim()
                .strip_suffix('色')
                .and_then(RiskColour::parse_code)
        })
    }

    /// A/B/C, A类, also with a space: "A 类".
    fn parse_class(raw: &str) -> Option<ProgressClass> {
        ProgressClass::parse_code(raw)
            .or_else(|| ProgressClass::parse_code(&raw.replace(char::is_whitespace, "")))
    }

    fn investigator_cell(
        username: &str,
        ctx: &dyn ImportContext,
        errors: &mut Vec<RowError>,
    ) -> Option<String> {
        if username.is_empty() {
            return None;
        }
        let id = ctx.account_id(username);
        if id.is_none() {
            errors.push(RowError::UnknownInvestigator {
                username: shorten(username),
            });
        }
        id
    }

    /// A number already in the database or earlier in the file.
    fn number_clash(
        raw: &str,
        line: usize,
        ctx: &dyn ImportContext,
        seen: &mut HashMap<String, usize>,
    ) -> Option<RowError> {
        let number = collapse_spaces(raw);
        if number.is_empty() {
            return None;
        }
        if let Some(first_line) = seen.get(&number) {
            return Some(RowError::NumberRepeated {
                number,
                first_line: *first_line,
            });
        }
        seen.insert(number.clone(), line);
        ctx.number_exists(&number)
            .then_some(RowError::NumberExists { number })
    }

    /// Raw values echoed in messages are cut short: a 5,000-character cell in
    /// an error message helps nobody and bloats the preview.
    fn shorten(raw: &str) -> String {
        const MAX_CHARS: usize = 40;
        if raw.chars().count() <= MAX_CHARS {
            return raw.to_owned();
        }
        let head: String = raw.chars().take(MAX_CHARS).collect();
        format!("{head}…")
    }
}

/// Messages and JSON of the shared types: these run in every build.
#[cfg(test)]
mod shared_tests {
    use super::*;
    use crate::domain::case::{CaseField, CaseFieldError};

    pub(super) fn every_error() -> (Vec<ImportError>, Vec<RowError>) {
        let import = vec![
            ImportError::Empty,
            ImportError::Undecodable,
            ImportError::TooManyRows { max: MAX_ROWS },
            ImportError::NoRows,
            ImportError::MissingColumns {
                columns: vec![CaseField::Number, CaseField::ReceivedOn],
            },
            ImportError::UnknownColumn {
                column: "备注".into(),
            },
            ImportError::UnnamedColumn { position: 3 },
            ImportError::DuplicateColumn {
                column: "三色".into(),
            },
            ImportError::Malformed { line: 7 },
        ];
        let row = vec![
            RowError::Field(CaseFieldError::TitleEmpty),
            RowError::Required {
                column: CaseField::ReceivedOn,
            },
            RowError::BadDate {
                column: CaseField::ReceivedOn,
                value: "2026-13-01".into(),
            },
            RowError::UnknownValue {
                column: CaseField::Risk,
                value: "紫".into(),
                allowed: vec!["红".into(), "黄".into(), "绿".into()],
            },
            RowError::UnknownInvestigator {
                username: "nobody".into(),
            },
            RowError::NumberExists {
                number: "海宁信访〔2026〕1号".into(),
            },
            RowError::NumberRepeated {
                number: "海宁信访〔2026〕1号".into(),
                first_line: 2,
            },
            RowError::CellCount {
                expected: 12,
                found: 11,
            },
        ];
        (import, row)
    }

    fn has_han(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_error_has_a_chinese_and_an_english_message() {
        let (import, row) = every_error();
        let messages = import
            .iter()
            .map(|e| (e.message_zh(), e.message_en()))
            .chain(row.iter().map(|e| (e.message_zh(), e.message_en())));
        for (zh, en) in messages {
            assert!(has_han(&zh), "zh: {zh}");
            assert!(
                en.starts_with(|c: char| c.is_ascii_uppercase() || c == '“'),
                "en: {en}"
            );
            assert_ne!(zh, en);
        }
    }

    #[test]
    fn messages_name_the_line_and_the_value() {
        let row = PreviewRow {
            line: 5,
            draft: None,
            errors: vec![RowError::BadDate {
                column: CaseField::ReceivedOn,
                value: "2026-13-01".into(),
            }],
        };
        assert_eq!(
            row.messages_zh(),
            vec!["第 5 行：「收件日期」不是有效日期：2026-13-01".to_string()]
        );
        assert_eq!(
            row.messages_en(),
            vec!["Line 5: “received on” is not a valid date: 2026-13-01".to_string()]
        );
        let missing = ImportError::MissingColumns {
            columns: vec![CaseField::Number, CaseField::ReceivedOn],
        };
        assert_eq!(missing.message_zh(), "缺少必填列：「编号」「收件日期」");
    }

    #[test]
    fn errors_and_previews_survive_json() {
        let (import, row) = every_error();
        for e in &import {
            let json = serde_json::to_string(e).expect("serialise");
            assert_eq!(
                &serde_json::from_str::<ImportError>(&json).expect("parse"),
                e
            );
        }
        let preview = ImportPreview {
            encoding: SourceEncoding::Gb18030,
            columns: COLUMNS.to_vec(),
            rows: vec![PreviewRow {
                line: 2,
                draft: None,
                errors: row,
            }],
        };
        let json = serde_json::to_string(&preview).expect("serialise");
        assert!(json.contains(r#""row_error":"field","field_error":"title_empty""#));
        assert_eq!(
            serde_json::from_str::<ImportPreview>(&json).expect("parse"),
            preview
        );
        assert!(!preview.is_valid());
        assert_eq!(preview.error_count(), 8);
        assert!(preview.drafts().is_empty());
    }

    #[test]
    fn an_empty_preview_is_not_valid() {
        let preview = ImportPreview {
            encoding: SourceEncoding::Utf8,
            columns: COLUMNS.to_vec(),
            rows: vec![],
        };
        assert!(!preview.is_valid());
    }

    #[test]
    fn template_has_a_bom_the_chinese_header_and_one_row() {
        let template = template_csv();
        let body = template.strip_prefix('\u{feff}').expect("BOM");
        let lines: Vec<&str> = body.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "编号,标题,信访人,责任单位,诉求,收件日期,受理日期,类别,属地,风险等级,分类,状态,承办人"
        );
        assert!(lines[1].starts_with("示例"));
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::case::{
        CalendarDate, CaseField, CaseFieldError, CaseStatus, ProgressClass, RiskColour,
    };
    use proptest::prelude::*;

    /// Every column; 属地 last (not in the template's place: a file's order is its own),
    /// so that the positions below are those of the columns before it.
    const HEADER: &str =
        "编号,标题,信访人,责任单位,诉求,收件日期,受理日期,类别,风险等级,分类,状态,承办人,属地";

    fn known() -> Known {
        let mut known = Known::default();
        known.accounts.insert("wangwei".into(), "acc-wang".into());
        known.numbers.insert("海宁信访〔2025〕9号".into());
        known
    }

    /// A full valid row with the given number.
    fn row(number: &str) -> String {
        format!(
            "{number},某村土地征收补偿争议,张建国、李秀英,海宁市自然资源和规划局,\
             要求按新标准补偿,2026-11-02,2026-11-05,征地拆迁,红,A类,办理中,wangwei,硖石街道"
        )
    }

    /// A valid row with one cell replaced (by header position).
    fn row_with(number: &str, column: usize, value: &str) -> String {
        set(&row(number), column, value)
    }

    /// A row (without quoted cells) with one cell replaced.
    fn set(line: &str, column: usize, value: &str) -> String {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[column] = value;
        cells.join(",")
    }

    fn file(lines: &[&str]) -> String {
        let mut text = lines.join("\r\n");
        text.push_str("\r\n");
        text
    }

    fn preview(text: &str) -> ImportPreview {
        parse_cases(text.as_bytes(), &known()).expect("a preview")
    }

    fn refused(bytes: &[u8]) -> ImportError {
        parse_cases(bytes, &known()).expect_err("refused")
    }

    fn date(s: &str) -> CalendarDate {
        s.parse().expect("test date")
    }

    /// The errors of the only row of a one-row file.
    fn errors_of(line: &str) -> Vec<RowError> {
        let p = preview(&file(&[HEADER, line]));
        assert_eq!(p.rows.len(), 1);
        p.rows[0].errors.clone()
    }

    #[test]
    fn an_all_valid_file_gives_every_case() {
        let (a, b, c) = (
            row("海宁信访〔2026〕1号"),
            row("海宁信访〔2026〕2号"),
            row("海宁信访〔2026〕3号"),
        );
        let p = preview(&file(&[HEADER, &a, &b, &c]));
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        assert_eq!(p.encoding, SourceEncoding::Utf8);
        // The file's own order: the template's, but with 属地 moved to the end.
        let mut in_file_order: Vec<CaseField> = COLUMNS
            .into_iter()
            .filter(|f| *f != CaseField::District)
            .collect();
        in_file_order.push(CaseField::District);
        assert_eq!(p.columns, in_file_order);
        assert_eq!(
            p.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        let drafts = p.drafts();
        assert_eq!(drafts.len(), 3);
        let first = &drafts[0];
        assert_eq!(first.number, "海宁信访〔2026〕1号");
        assert_eq!(
            first.petitioners,
            vec!["张建国".to_string(), "李秀英".to_string()]
        );
        assert_eq!(first.agencies, vec!["海宁市自然资源和规划局".to_string()]);
        assert_eq!(first.received_on, date("2026-11-02"));
        assert_eq!(first.accepted_on, Some(date("2026-11-05")));
        assert_eq!(first.category, "征地拆迁");
        assert_eq!(first.district, "硖石街道");
        assert_eq!(first.risk, RiskColour::Red);
        assert_eq!(first.class, ProgressClass::A);
        assert_eq!(first.status, CaseStatus::Accepted);
        assert_eq!(first.investigator_id.as_deref(), Some("acc-wang"));
    }

    #[test]
    fn utf8_with_a_bom_reads_the_first_column() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(file(&[HEADER, &row("甲1")]).as_bytes());
        let p = parse_cases(&bytes, &known()).expect("preview");
        assert_eq!(p.encoding, SourceEncoding::Utf8);
        assert_eq!(p.columns[0], CaseField::Number);
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        let decoded = decode(&bytes).expect("decoded");
        assert!(decoded.text.starts_with("编号,"));
    }

    #[test]
    fn gb18030_files_are_read() {
        let text = file(&[HEADER, &row("海宁信访〔2026〕7号")]);
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
        let p = parse_cases(&bytes, &known()).expect("preview");
        assert_eq!(p.encoding, SourceEncoding::Gb18030);
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        let drafts = p.drafts();
        assert_eq!(drafts[0].number, "海宁信访〔2026〕7号");
        assert_eq!(drafts[0].title, "某村土地征收补偿争议");
        assert_eq!(
            drafts[0].agencies,
            vec!["海宁市自然资源和规划局".to_string()]
        );
    }

    #[test]
    fn english_headers_in_any_case() {
        let text = file(&[
            " Number ,TITLE,Petitioners,agencies,Received On,accepted-on,Risk,CLASS,status,Investigator",
            "N-1,Land dispute,Zhang Jianguo; Li Xiuying,Land Bureau,2026-11-02,2026-11-04,yellow,b,accepted,wangwei",
        ]);
        let p = preview(&text);
        assert!(p.is_valid(), "{:?}", p.messages_en());
        let d = &p.drafts()[0];
        assert_eq!(
            d.petitioners,
            vec!["Zhang Jianguo".to_string(), "Li Xiuying".to_string()]
        );
        assert_eq!(d.risk, RiskColour::Yellow);
        assert_eq!(d.class, ProgressClass::B);
        assert_eq!(d.status, CaseStatus::Accepted);
        assert_eq!(d.summary, "");
    }

    #[test]
    fn chinese_aliases_of_risk_and_class() {
        let text = file(&[
            "编号,标题,信访人,责任单位,收件日期,三色,三类",
            "甲1,标题,张三,某局,2026-11-02,黄,B",
        ]);
        let d = &preview(&text).drafts()[0];
        assert_eq!((d.risk, d.class), (RiskColour::Yellow, ProgressClass::B));
        let text = file(&[
            "编号,标题,信访人,责任单位,收件日期,风险,类别等级",
            "甲1,标题,张三,某局,2026-11-02,红,A类",
        ]);
        let d = &preview(&text).drafts()[0];
        assert_eq!((d.risk, d.class), (RiskColour::Red, ProgressClass::A));
    }

    #[test]
    fn absent_columns_and_empty_cells_take_the_defaults() {
        let minimal = file(&[
            "编号,标题,信访人,责任单位,收件日期",
            "甲1,标题,张三,某局,2026-11-02",
        ]);
        let d = preview(&minimal).drafts().remove(0);
        assert_eq!(d.risk, RiskColour::Green);
        assert_eq!(d.class, ProgressClass::C);
        assert_eq!(d.status, CaseStatus::Registered);
        assert_eq!(d.category, "");
        assert_eq!(d.district, "", "no 属地 column: no district");
        assert_eq!(d.accepted_on, None);
        assert_eq!(d.investigator_id, None);

        let accepted = row_with("甲2", 10, "");
        let d = preview(&file(&[HEADER, &set(&accepted, 8, "")]))
            .drafts()
            .remove(0);
        assert_eq!(d.status, CaseStatus::Accepted, "受理日期 present: 办理中");
        assert_eq!(d.risk, RiskColour::Green);
    }

    #[test]
    fn quoted_commas_and_line_breaks_stay_in_their_cell() {
        let text = format!(
            "{HEADER}\r\n\
             甲1,\"标题，含逗号, and comma\",\"张三,李四\",某局,\"第一，补偿\r\n第二, 公开依据\",2026-11-02,,,,,,,\r\n\
             {}\r\n",
            row("甲2")
        );
        let p = preview(&text);
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        assert_eq!(p.rows[1].line, 4, "the line break inside a cell counts");
        let d = &p.rows[0].draft.as_ref().expect("draft");
        assert_eq!(d.title, "标题，含逗号, and comma");
        assert_eq!(d.petitioners, vec!["张三".to_string(), "李四".to_string()]);
        assert_eq!(
            d.summary, "第一，补偿\n第二, 公开依据",
            "CRLF in a cell is a plain line break"
        );
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        let text = file(&[HEADER, "", &row("甲1"), ",,,,,,,,,,,", "   ", &row("甲2")]);
        let p = preview(&text);
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        assert_eq!(
            p.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![3, 6]
        );
    }

    #[test]
    fn line_numbers_with_any_line_ending() {
        let rows = [HEADER.to_string(), row("甲1"), String::new(), row("甲2")];
        for ending in ["\n", "\r\n", "\r"] {
            let p = preview(&rows.join(ending));
            let lines: Vec<usize> = p.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, vec![2, 4], "ending {ending:?}");
        }
    }

    fn numbered_rows(count: usize) -> String {
        let mut text = format!("{HEADER}\n");
        for i in 0..count {
            text.push_str(&row(&format!("测试〔2026〕{i}号")));
            text.push('\n');
        }
        text
    }

    #[test]
    fn ten_thousand_rows_pass_and_one_more_is_refused() {
        let p = preview(&numbered_rows(MAX_ROWS));
        assert_eq!(p.rows.len(), MAX_ROWS);
        assert!(p.is_valid());
        assert_eq!(
            refused(numbered_rows(MAX_ROWS + 1).as_bytes()),
            ImportError::TooManyRows { max: 10_000 }
        );
    }

    #[test]
    fn a_mixed_file_marks_only_the_bad_lines() {
        let text = file(&[
            HEADER,
            &row("甲1"),
            &row_with("甲2", 5, "2026-13-01"),
            &row("甲3"),
            "",
            &row_with("甲4", 8, "紫"),
            &row("甲5"),
        ]);
        let p = preview(&text);
        assert!(!p.is_valid());
        let bad: Vec<(usize, usize)> = p
            .rows
            .iter()
            .filter(|r| !r.errors.is_empty())
            .map(|r| (r.line, r.errors.len()))
            .collect();
        assert_eq!(bad, vec![(3, 1), (6, 1)]);
        for good in p.rows.iter().filter(|r| r.errors.is_empty()) {
            assert!(good.draft.is_some(), "line {}", good.line);
        }
        assert_eq!(
            p.messages_zh(),
            vec![
                "第 3 行：「收件日期」不是有效日期：2026-13-01".to_string(),
                "第 6 行：「风险等级」无法识别：紫；可填：红、黄、绿".to_string(),
            ]
        );
        assert!(p.drafts().is_empty(), "all or nothing");
    }

    #[test]
    fn files_that_are_refused_whole() {
        assert_eq!(refused(b""), ImportError::Empty);
        assert_eq!(refused(b"\xEF\xBB\xBF \r\n\r\n"), ImportError::Empty);
        // Excel's "Unicode text" is UTF-16: neither UTF-8 nor GB18030.
        assert_eq!(
            refused(b"\xFF\xFE\x16\x7f\xf7\x53"),
            ImportError::Undecodable
        );
        // A BOM that promises UTF-8 is believed.
        assert_eq!(
            refused(b"\xEF\xBB\xBF\xB1\xE0\xBA\xC5"),
            ImportError::Undecodable
        );
        assert_eq!(refused(HEADER.as_bytes()), ImportError::NoRows);
        assert_eq!(
            refused("标题,信访人,责任单位\n标题,张三,某局\n".as_bytes()),
            ImportError::MissingColumns {
                columns: vec![CaseField::Number, CaseField::ReceivedOn]
            }
        );
        assert_eq!(
            refused(format!("{HEADER},备注\n").as_bytes()),
            ImportError::UnknownColumn {
                column: "备注".into()
            }
        );
        assert_eq!(
            refused(format!("{HEADER},三色\n").as_bytes()),
            ImportError::DuplicateColumn {
                column: "三色".into()
            }
        );
        assert_eq!(
            refused("编号,标题,,信访人,责任单位,收件日期\n".as_bytes()),
            ImportError::UnnamedColumn { position: 3 }
        );
    }

    #[test]
    fn trailing_empty_header_cells_are_ignored() {
        let p = preview(&file(&[
            &format!("{HEADER},,"),
            &format!("{},,", row("甲1")),
        ]));
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        assert_eq!(p.columns.len(), 13);
    }

    #[test]
    fn unreadable_cells() {
        assert_eq!(
            errors_of(&row_with("甲1", 5, "")),
            vec![RowError::Required {
                column: CaseField::ReceivedOn
            }]
        );
        assert_eq!(
            errors_of(&row_with("甲1", 6, "11月5日")),
            vec![RowError::BadDate {
                column: CaseField::AcceptedOn,
                value: "11月5日".into()
            }]
        );
        let unknown = |column, value: &str, allowed: &[&str]| RowError::UnknownValue {
            column,
            value: value.into(),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            errors_of(&row_with("甲1", 8, "紫")),
            vec![unknown(CaseField::Risk, "紫", &["红", "黄", "绿"])]
        );
        assert_eq!(
            errors_of(&row_with("甲1", 9, "D类")),
            vec![unknown(CaseField::Class, "D类", &["A类", "B类", "C类"])]
        );
        assert_eq!(
            errors_of(&row_with("甲1", 10, "已受理")),
            vec![unknown(
                CaseField::Status,
                "已受理",
                &["待受理", "办理中", "已办结", "不予受理"]
            )]
        );
        assert_eq!(
            errors_of(&row_with("甲1", 11, "nobody")),
            vec![RowError::UnknownInvestigator {
                username: "nobody".into()
            }]
        );
    }

    #[test]
    fn a_row_with_unreadable_cells_has_no_draft() {
        let p = preview(&file(&[HEADER, &row_with("甲1", 11, "nobody")]));
        assert_eq!(p.rows[0].draft, None);
    }

    #[test]
    fn case_rules_are_reported_per_row() {
        assert_eq!(
            errors_of(&row_with("甲1", 1, "  ")),
            vec![RowError::Field(CaseFieldError::TitleEmpty)]
        );
        assert_eq!(
            errors_of(&row_with("甲1", 6, "2026-11-01")),
            vec![RowError::Field(CaseFieldError::AcceptedBeforeReceived)]
        );
        let concluded = row_with("甲1", 10, "已办结");
        assert_eq!(
            errors_of(&set(&concluded, 6, "")),
            vec![RowError::Field(CaseFieldError::AcceptedOnMissing)]
        );
        let nobody = row_with("甲1", 2, "、");
        assert_eq!(
            errors_of(&set(&nobody, 0, "")),
            vec![
                RowError::Field(CaseFieldError::NumberEmpty),
                RowError::Field(CaseFieldError::NoPetitioner)
            ]
        );
    }

    #[test]
    fn a_bad_date_does_not_hide_other_problems_nor_invent_any() {
        let bad_date = row_with("甲1", 5, "去年");
        assert_eq!(
            errors_of(&set(&bad_date, 1, "")),
            vec![
                RowError::BadDate {
                    column: CaseField::ReceivedOn,
                    value: "去年".into()
                },
                RowError::Field(CaseFieldError::TitleEmpty),
            ]
        );
        let both_bad = set(&bad_date, 6, "前天");
        assert_eq!(errors_of(&both_bad).len(), 2, "{:?}", errors_of(&both_bad));
    }

    #[test]
    fn case_numbers_must_be_new() {
        assert_eq!(
            errors_of(&row("海宁信访〔2025〕9号")),
            vec![RowError::NumberExists {
                number: "海宁信访〔2025〕9号".into()
            }]
        );
        let p = preview(&file(&[HEADER, &row("甲1"), &row("甲2"), &row(" 甲1 ")]));
        assert_eq!(
            p.rows[2].errors,
            vec![RowError::NumberRepeated {
                number: "甲1".into(),
                first_line: 2
            }]
        );
        assert!(p.rows[0].errors.is_empty());
        assert!(p.rows[2].draft.is_some(), "the row itself is fine");
        assert!(!p.is_valid());
    }

    #[test]
    fn rows_must_line_up_with_the_header() {
        let short = row("甲1");
        let short = short.rsplit_once(',').expect("cells").0;
        assert_eq!(
            errors_of(short),
            vec![RowError::CellCount {
                expected: 13,
                found: 12
            }]
        );
        assert_eq!(
            errors_of(&format!("{},多余", row("甲1"))),
            vec![RowError::CellCount {
                expected: 13,
                found: 14
            }]
        );
        assert!(errors_of(&format!("{},,", row("甲1"))).is_empty());
    }

    #[test]
    fn dates_as_spreadsheets_write_them() {
        assert_eq!(parse_date("2026年11月2日"), Some(date("2026-11-02")));
        assert_eq!(parse_date("2026/11/2 0:00"), Some(date("2026-11-02")));
        assert_eq!(parse_date(" 2026.11.2 "), Some(date("2026-11-02")));
        assert_eq!(parse_date("2026/11/2 下午"), None);
        assert_eq!(parse_date("2026年13月2日"), None);
        let p = preview(&file(&[HEADER, &row_with("甲1", 5, "2026年11月2日")]));
        assert!(p.is_valid(), "{:?}", p.messages_zh());
    }

    #[test]
    fn codes_as_offices_write_them() {
        let red = row_with("甲1", 8, "红色");
        let p = preview(&file(&[HEADER, &set(&red, 9, "B 类")]));
        let d = &p.drafts()[0];
        assert_eq!((d.risk, d.class), (RiskColour::Red, ProgressClass::B));
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "错".repeat(100);
        let errors = errors_of(&row_with("甲1", 5, &long));
        let RowError::BadDate { value, .. } = &errors[0] else {
            panic!("{errors:?}");
        };
        assert_eq!(value.chars().count(), 41);
    }

    #[test]
    fn the_template_imports_cleanly() {
        let p = parse_cases(template_csv().as_bytes(), &Known::default()).expect("preview");
        assert!(p.is_valid(), "{:?}", p.messages_zh());
        assert_eq!(p.columns, COLUMNS.to_vec());
        assert!(p.drafts()[0].title.starts_with("示例"));
    }

    #[test]
    fn the_district_column() {
        // Any of its names, anywhere in the header; tidied like the other texts.
        for name in [
            "属地",
            "镇街",
            "所属镇街",
            "乡镇街道",
            "乡镇（街道）",
            "District",
        ] {
            let text = file(&[
                &format!("{name},编号,标题,信访人,责任单位,收件日期"),
                "  长安镇 ,甲1,标题,张三,某局,2026-11-02",
                ",甲2,标题,张三,某局,2026-11-02",
            ]);
            let p = preview(&text);
            assert!(p.is_valid(), "{name}: {:?}", p.messages_zh());
            assert_eq!(p.columns[0], CaseField::District, "{name}");
            let districts: Vec<String> = p.drafts().into_iter().map(|d| d.district).collect();
            assert_eq!(
                districts,
                vec!["长安镇".to_string(), String::new()],
                "{name}"
            );
        }
        // Its rules are the case's: at most 40 characters.
        let long = row_with("甲1", 12, &"镇".repeat(41));
        assert_eq!(
            errors_of(&long),
            vec![RowError::Field(CaseFieldError::TooLong {
                field: CaseField::District,
                max: 40
            })]
        );
        assert_eq!(
            preview(&file(&[HEADER, &long])).messages_zh(),
            vec!["第 2 行：「属地」不能超过 40 个字".to_string()]
        );
        assert_eq!(
            refused(format!("{HEADER},镇街\n").as_bytes()),
            ImportError::DuplicateColumn {
                column: "镇街".into()
            }
        );
    }

    #[test]
    fn column_names() {
        assert_eq!(column_named("风险等级"), Some(CaseField::Risk));
        assert_eq!(column_named("Risk Colour"), Some(CaseField::Risk));
        assert_eq!(column_named("RECEIVED_ON"), Some(CaseField::ReceivedOn));
        assert_eq!(column_named("类别"), Some(CaseField::Category));
        assert_eq!(column_named("类别等级"), Some(CaseField::Class));
        assert_eq!(column_named("属地"), Some(CaseField::District));
        assert_eq!(column_named("district"), Some(CaseField::District));
        assert_eq!(column_named("编 号"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever a claim contains — commas, quotes, line breaks — it comes back
        /// from a properly quoted CSV unchanged (up to the trim validation does).
        #[test]
        fn any_claim_round_trips(claim in "[a-z0-9 ,\"\n诉求，；、]{0,60}") {
            let line = format!(
                "甲1,标题,张三,某局,{},2026-11-02,,,,,,,",
                csv_cell(&claim)
            );
            let p = preview(&file(&[HEADER, &line]));
            prop_assert!(p.is_valid(), "{:?}", p.messages_zh());
            prop_assert_eq!(&p.drafts()[0].summary, claim.trim());
        }
    }
}
