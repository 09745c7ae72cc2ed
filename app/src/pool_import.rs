//! The pool as a spreadsheet: CSV export, and import with a preview and
//! per-row errors (UTF-8 or GB18030, as `case_import` reads cases). An import
//! writes nothing unless every row is valid; a row whose 编号 exists updates
//! that member, any other row adds one.

use crate::domain::csv::csv_cell;
use crate::domain::pool::MemberDraft;
use serde::{Deserialize, Serialize};

/// The columns, in the order the export writes them.
pub const COLUMNS: [(&str, &str); 10] = [
    ("编号", "code"),
    ("姓名", "name"),
    ("类别", "category"),
    ("兼有身份", "extra_tags"),
    ("工作单位", "organisation"),
    ("所在镇街", "district"),
    ("联系方式", "contact"),
    ("状态", "status"),
    ("不可参加日期", "unavailable"),
    ("利害关系", "relations"),
];

/// One row of the preview: the member it becomes, or why it cannot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolImportRow {
    /// The file's line number (1 = the header).
    pub line: usize,
    /// The 编号 given, if any.
    pub code: Option<String>,
    /// True when the code exists: the row updates that member.
    pub updates: bool,
    pub draft: Option<MemberDraft>,
    /// Chinese messages; empty when the row is valid.
    pub errors: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolImportPreview {
    pub encoding: crate::case_import::SourceEncoding,
    pub rows: Vec<PoolImportRow>,
}

impl PoolImportPreview {
    pub fn is_valid(&self) -> bool {
        self.rows.iter().all(|r| r.errors.is_empty())
    }
}

/// The pool as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese).
pub fn export_csv(members: &[crate::model::MemberRow]) -> String {
    use crate::domain::case::Coded;
    use crate::domain::sortition::tag_label_zh;
    let mut out = String::from("\u{feff}");
    let header: Vec<&str> = COLUMNS.iter().map(|(zh, _)| *zh).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in members {
        let m = &row.member;
        let d = &m.draft;
        let cells = [
            m.id.clone(),
            d.name.clone(),
            tag_label_zh(&d.category).to_owned(),
            d.extra_tags
                .iter()
                .map(|t| tag_label_zh(t))
                .collect::<Vec<_>>()
                .join("、"),
            d.organisation.clone(),
            d.district.clone(),
            d.contact.clone(),
            d.status.label_zh().to_owned(),
            d.unavailable
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("；"),
            d.relations.join("；"),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(feature = "ssr")]
pub use read::parse;

#[cfg(feature = "ssr")]
mod read {
    use super::*;
    use crate::case_import::{decode, read_records};
    use crate::domain::case::{CalendarDate, Coded};
    use crate::domain::pool::{Categories, MemberStatus};
    use std::collections::HashSet;

    /// Lists in a cell: separated by ；, ;, 、 or a line break.
    fn split_list(cell: &str) -> Vec<String> {
        cell.split(['；', ';', '、', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn column(name: &str) -> Option<usize> {
        let name = name.trim();
        let english = name.to_ascii_lowercase().replace([' ', '-'], "_");
        COLUMNS
            .iter()
            .position(|(zh, en)| *zh == name || *en == english)
    }

    fn status_of(raw: &str) -> Option<MemberStatus> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Some(MemberStatus::Active);
        }
        MemberStatus::ALL.iter().copied().find(|s| {
            s.code() == raw || s.label_zh() == raw || (raw == "退出" && *s == MemberStatus::Retired)
        })
    }

    /// Reads the file into a preview. `existing`: the member codes in the pool.
    pub fn parse(
        bytes: &[u8],
        existing: &HashSet<String>,
        categories: &Categories,
    ) -> Result<PoolImportPreview, String> {
        let decoded = decode(bytes).map_err(|e| e.message_zh())?;
        let records = read_records(&decoded.text).map_err(|e| e.message_zh())?;
        let Some((header, data)) = records.split_first() else {
            return Err("文件是空的".into());
        };
        let mut columns = Vec::new();
        for (i, name) in header.cells.iter().enumerate() {
            if name.trim().is_empty() {
                continue;
            }
            let Some(c) = column(name) else {
                return Err(format!(
                    "表头有无法识别的列「{}」。可用的列：{}",
                    name.trim(),
                    COLUMNS
                        .iter()
                        .map(|(zh, _)| *zh)
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            };
            if columns.iter().any(|(_, k)| *k == c) {
                return Err(format!("表头中「{}」列出现了不止一次", name.trim()));
            }
            columns.push((i, c));
        }
        for required in [1, 2] {
            if !columns.iter().any(|(_, c)| *c == required) {
                return Err(format!("缺少必填列：「{}」", COLUMNS[required].0));
            }
        }
        if data.is_empty() {
            return Err("文件中只有表头，没有要导入的成员".into());
        }
        let mut seen = HashSet::new();
        let rows = data
            .iter()
            .map(|record| {
                let cell = |c: usize| {
                    columns
                        .iter()
                        .find(|(_, k)| *k == c)
                        .and_then(|(i, _)| record.cells.get(*i))
                        .map(|s| s.trim().to_owned())
                        .unwrap_or_default()
                };
                row(record.line, cell, existing, categories, &mut seen)
            })
            .collect();
        Ok(PoolImportPreview {
            encoding: decoded.encoding,
            rows,
        })
    }

    fn row(
        line: usize,
        cell: impl Fn(usize) -> String,
        existing: &HashSet<String>,
        categories: &Categories,
        seen: &mut HashSet<String>,
    ) -> PoolImportRow {
        let mut errors = Vec::new();
        let code = Some(cell(0)).filter(|c| !c.is_empty());
        if let Some(code) = &code {
            if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || code.len() > 20 {
                errors.push(format!(
                    "编号「{code}」只能由字母、数字和连字符组成（不超过 20 位）"
                ));
            }
            if !seen.insert(code.clone()) {
                errors.push(format!("编号「{code}」在文件中出现了不止一次"));
            }
        }
        let status = status_of(&cell(7)).unwrap_or_else(|| {
            errors.push(format!(
                "状态「{}」无法识别（可填：在册、暂停、已退出）",
                cell(7)
            ));
            MemberStatus::Active
        });
        let mut unavailable = Vec::new();
        for raw in split_list(&cell(8)) {
            match raw.replace('/', "-").parse::<CalendarDate>() {
                Ok(day) => unavailable.push(day),
                Err(_) => errors.push(format!("不可参加日期「{raw}」无法识别（如 2026-12-24）")),
            }
        }
        let draft = MemberDraft {
            name: cell(1),
            category: cell(2),
            extra_tags: split_list(&cell(3)),
            organisation: cell(4),
            district: cell(5),
            contact: cell(6),
            status,
            unavailable,
            relations: split_list(&cell(9)),
        };
        let draft = match draft.validate(categories) {
            Ok(d) => Some(d),
            Err(found) => {
                errors.extend(found.iter().map(|e| e.message_zh()));
                None
            }
        };
        PoolImportRow {
            line,
            updates: code.as_ref().is_some_and(|c| existing.contains(c)),
            code,
            draft: draft.filter(|_| errors.is_empty()),
            errors,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rows_are_read_checked_and_gbk_works() {
            let text = "编号,姓名,类别,兼有身份,状态,不可参加日期,利害关系\n\
                        M001,王五,律师,政协委员,在册,2026-12-24；2026/12/25,张三；李四\n\
                        ,赵六,厨师,,休假,12月,\n\
                        M001,钱七,专家学者,,,,\n";
            let (gbk, _, _) = encoding_rs::GB18030.encode(text);
            let existing: HashSet<String> = ["M001".to_string()].into();
            for bytes in [text.as_bytes(), &gbk[..]] {
                let preview = parse(bytes, &existing, &Categories::default()).expect("readable");
                assert_eq!(preview.rows.len(), 3);
                let first = &preview.rows[0];
                assert!(first.errors.is_empty(), "{:?}", first.errors);
                assert!(first.updates);
                let draft = first.draft.as_ref().expect("valid");
                assert_eq!(draft.category, "lawyer");
                assert_eq!(draft.extra_tags, vec!["cppcc".to_string()]);
                assert_eq!(draft.unavailable.len(), 2);
                assert_eq!(draft.relations, vec!["张三", "李四"]);
                let second = &preview.rows[1];
                assert_eq!(second.line, 3);
                assert!(second.errors.iter().any(|e| e.contains("厨师")));
                assert!(second.errors.iter().any(|e| e.contains("休假")));
                assert!(second.errors.iter().any(|e| e.contains("12月")));
                assert!(
                    preview.rows[2]
                        .errors
                        .iter()
                        .any(|e| e.contains("不止一次"))
                );
                assert!(!preview.is_valid());
            }
        }

        #[test]
        fn a_wrong_header_refuses_the_file() {
            let none = HashSet::new();
            assert!(
                parse(
                    "姓名,爱好\n王五,钓鱼\n".as_bytes(),
                    &none,
                    &Categories::default()
                )
                .expect_err("refused")
                .contains("爱好")
            );
            assert!(
                parse("姓名\n王五\n".as_bytes(), &none, &Categories::default())
                    .expect_err("refused")
                    .contains("类别")
            );
            assert!(
                parse("姓名,类别\n".as_bytes(), &none, &Categories::default())
                    .expect_err("refused")
                    .contains("只有表头")
            );
        }

        #[test]
        fn export_round_trips_through_import() {
            use crate::domain::pool::Member;
            let draft = MemberDraft {
                name: "王五".into(),
                category: "lawyer".into(),
                extra_tags: vec!["cppcc".into()],
                organisation: "=HYPERLINK(\"x\")".into(),
                district: "硖石街道".into(),
                contact: "138, 0000".into(),
                status: MemberStatus::Paused,
                unavailable: vec![CalendarDate::new(2026, 12, 24).expect("date")],
                relations: vec!["张三（配偶）".into()],
            };
            let rows = vec![crate::model::MemberRow {
                member: Member {
                    id: "M007".into(),
                    account_id: "a".into(),
                    draft: draft.clone(),
                    version: 1,
                },
                username: "m007".into(),
                served: 0,
            }];
            let csv = export_csv(&rows);
            assert!(csv.contains("'=HYPERLINK"), "formulas are neutralised");
            let preview =
                parse(csv.as_bytes(), &HashSet::new(), &Categories::default()).expect("readable");
            let back = preview.rows[0].draft.clone().expect("valid");
            assert_eq!(back.organisation, "'=HYPERLINK(\"x\")");
            assert_eq!(
                MemberDraft {
                    organisation: draft.organisation.clone(),
                    ..back
                },
                draft
            );
        }
    }
}
