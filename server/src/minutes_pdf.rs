//! Hearing minutes rendered to an A4 PDF with one embedded (subset) CJK font.
//!
//! printpdf 0.12 only places glyphs: it neither wraps nor paginates, and it maps
//! `TextItem::Text` char by char through the font's cmap (no shaping, no kerning).
//! So we lay out ourselves, measuring with the same hmtx advances the viewer will
//! use, which keeps the measured width and the rendered width identical.

use printpdf::{
    Color, Greyscale, Line, LinePoint, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, TextItem,
};

pub struct MinutesInput {
    pub title: String,
    pub case_number: String,
    pub case_title: String,
    pub hearing_title: String,
    pub scheduled: String,
    pub place: String,
    pub lines: Vec<MinutesLine>,
    /// 证据清单: each exhibit with its 质证 opinions.
    pub exhibits: Vec<MinutesExhibit>,
    /// 表决: each ballot as [`app::domain::ballot::BallotState::minutes_lines`] prints it.
    pub ballots: Vec<Vec<String>>,
    pub chain_head: String,
    pub generated_at: String,
}

/// One exhibit as the minutes list it.
pub struct MinutesExhibit {
    /// "申-1 欠条照片（信访人 张三 提交；已采纳）"
    pub heading: String,
    pub sha256: String,
    /// "张三（信访人）：真实性：无异议；合法性：有异议；关联性：无异议。理由…"
    pub opinions: Vec<String>,
}

pub struct MinutesLine {
    pub seq: u64,
    pub at: String,
    pub author: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("font could not be parsed")]
    Font,
    #[error("pdf could not be written: {0}")]
    Write(String),
}

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const LEFT: f32 = 20.0 * MM;
const RIGHT: f32 = PAGE_W - 20.0 * MM;
/// Body runs between these; header and footer live in the margins outside them.
const BODY_TOP: f32 = PAGE_H - 26.0 * MM;
const BODY_BOTTOM: f32 = 20.0 * MM;
const HEADER_Y: f32 = PAGE_H - 15.0 * MM;
const FOOTER_Y: f32 = 11.0 * MM;
const BODY: f32 = 10.5; // 五号, the usual size for official documents
const SMALL: f32 = 9.0;
/// Noto CJK ideographs sit in an em box whose top is 0.88 em above the baseline.
const ASCENT: f32 = 0.88;

/// Something to draw, in PDF points from the bottom-left corner.
enum Item {
    /// x, baseline y, font size, text
    Text(f32, f32, f32, String),
    /// full-width hairline at this y
    Rule(f32),
}

fn pt(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

/// Font access for layout; `advance` must agree with the /W widths printpdf writes.
struct Metrics<'a> {
    font: &'a ParsedFont,
    upem: f32,
}

impl Metrics<'_> {
    /// Advance of one char in points; chars without a glyph were replaced by `clean`.
    fn advance(&self, c: char, size: f32) -> f32 {
        let gid = self.font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
        f32::from(self.font.get_horizontal_advance(gid)) * size / self.upem
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(c, size)).sum()
    }

    /// Control chars become spaces and unmapped chars `?`, so nothing renders as tofu.
    fn clean(&self, s: &str) -> String {
        let s = s.replace("\r\n", "\n");
        s.chars()
            .map(|c| match c {
                '\n' => '\n',
                c if c.is_control() => ' ',
                c if self.font.lookup_glyph_index(u32::from(c)).is_some() => c,
                _ => '?',
            })
            .collect()
    }
}

/// Flows items down the body area, starting a new page when the next line won't fit.
struct Flow<'a> {
    m: Metrics<'a>,
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl Flow<'_> {
    /// Moves down by `h`, breaking the page first if `need` (>= h) would not fit.
    fn advance(&mut self, h: f32, need: f32) -> f32 {
        if self.y - need < BODY_BOTTOM {
            self.pages.push(Vec::new());
            self.y = BODY_TOP;
        }
        let top = self.y;
        self.y -= h;
        top
    }

    fn text(&mut self, x: f32, top: f32, size: f32, text: String) {
        let y = top - 0.25 * size - ASCENT * size;
        if let Some(page) = self.pages.last_mut() {
            page.push(Item::Text(x, y, size, text));
        }
    }

    /// `text` wrapped, first line at `first` from the left margin and the rest at
    /// `rest` (hanging indent), with an optional `label` in front of the first line.
    /// `keep` reserves room below the first line so a heading is never orphaned.
    fn block(&mut self, label: &str, (first, rest): (f32, f32), text: &str, size: f32, keep: f32) {
        let lh = size * 1.5;
        let text = self.m.clean(text);
        let m = &self.m;
        let lines = wrap(&text, RIGHT - LEFT - first, RIGHT - LEFT - rest, |c| {
            m.advance(c, size)
        });
        for (i, line) in lines.into_iter().enumerate() {
            let top = self.advance(lh, if i == 0 { lh + keep } else { lh });
            if i == 0 && !label.is_empty() {
                self.text(LEFT, top, size, self.m.clean(label));
            }
            self.text(LEFT + if i == 0 { first } else { rest }, top, size, line);
        }
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }
}

/// Greedy line breaking. CJK chars break anywhere; Latin runs break at spaces and
/// are only split when a single word is wider than a whole line. `first` is the
/// width of the first line, `rest` of every following one (for hanging indents).
fn wrap(text: &str, first: f32, rest: f32, adv: impl Fn(char) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut cur, mut w) = (String::new(), 0.0_f32);
    let limit = |n: usize| if n == 0 { first } else { rest };
    for para in text.split('\n') {
        for tok in tokens(para) {
            let tw: f32 = tok.chars().map(&adv).sum();
            if tok == " " {
                // Spaces only separate words: dropped at a break and at line starts.
                if !cur.is_empty() && w + tw <= limit(lines.len()) {
                    cur.push(' ');
                    w += tw;
                }
                continue;
            }
            // A word wider than any line is split right here rather than leaving
            // the current line half empty.
            if w + tw > limit(lines.len()) && !cur.is_empty() && tw <= rest {
                lines.push(cur.trim_end().to_string());
                (cur, w) = (String::new(), 0.0);
            }
            for c in tok.chars() {
                // Only a word longer than a whole line gets here with too little room.
                let cw = adv(c);
                if w + cw > limit(lines.len()) && !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur).trim_end().to_string());
                    w = 0.0;
                }
                cur.push(c);
                w += cw;
            }
        }
        lines.push(std::mem::take(&mut cur).trim_end().to_string());
        w = 0.0;
    }
    lines
}

/// Splits into break units: a space, one CJK char, or a run of other chars.
/// Only ASCII space breaks Latin text (`clean` turned tabs into it); NBSP glues and
/// U+3000 is a CJK char, so full-width indentation survives.
/// Closing punctuation sticks to what precedes it and opening to what follows,
/// so no line starts with "，" or ends with "（".
fn tokens(s: &str) -> Vec<String> {
    const NO_START: &str = "，。、；：！？）》」』】〕,.;:!?)]%";
    const NO_END: &str = "（《「『【〔([";
    let mut out: Vec<String> = Vec::new();
    let mut glue = false; // the previous token must not end a line
    for c in s.chars() {
        let after_space = out.last().is_some_and(|t| t == " ");
        let latin = c != ' ' && !is_cjk(c);
        match out.last_mut().filter(|t| t.as_str() != " ") {
            Some(t) if c != ' ' && (glue || NO_START.contains(c)) => t.push(c),
            Some(t) if latin && t.chars().last().is_some_and(|p| !is_cjk(p)) => t.push(c),
            _ if c == ' ' && after_space => {}
            _ => out.push(c.to_string()),
        }
        glue = NO_END.contains(c);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Shortens `s` with "…" so it fits `max` points (used for the one-line header).
fn fit(m: &Metrics, s: &str, size: f32, max: f32) -> String {
    let s = m.clean(s).replace('\n', " ");
    if m.width(&s, size) <= max {
        return s;
    }
    let mut out = String::new();
    let mut w = m.advance('…', size);
    for c in s.chars() {
        w += m.advance(c, size);
        if w > max {
            break;
        }
        out.push(c);
    }
    out + "…"
}

fn body(flow: &mut Flow, input: &MinutesInput) {
    let title_size = 18.0;
    let title = fit(&flow.m, &input.title, title_size, RIGHT - LEFT);
    let top = flow.advance(title_size * 2.0, title_size * 2.0);
    let x = (LEFT + RIGHT - flow.m.width(&title, title_size)) / 2.0;
    flow.text(x, top, title_size, title);
    flow.gap(BODY);
    // Values align on the widest label.
    let facts = [
        ("案号：", &input.case_number),
        ("案件名称：", &input.case_title),
        ("听证时间：", &input.scheduled),
        ("地点：", &input.place),
    ];
    let indent = flow.m.width("案件名称：", BODY);
    for (label, value) in facts {
        flow.block(label, (indent, indent), value, BODY, 0.0);
    }
    flow.gap(BODY);
    flow.block("", (0.0, 0.0), "笔录", 12.0, BODY * 1.5);
    for l in &input.lines {
        let text = format!("[{}] {} {}：{}", l.seq, l.at, l.author, l.text);
        flow.block("", (0.0, 2.0 * BODY), &text, BODY, 0.0);
        flow.gap(BODY * 0.3);
    }
    if !input.exhibits.is_empty() {
        flow.gap(BODY);
        flow.block("", (0.0, 0.0), "证据清单及质证意见", 12.0, BODY * 1.5);
        for e in &input.exhibits {
            flow.block("", (0.0, 2.0 * BODY), &e.heading, BODY, 0.0);
            let hash = format!("SHA-256：{}", e.sha256);
            flow.block("", (2.0 * BODY, 2.0 * BODY), &hash, SMALL, 0.0);
            for opinion in &e.opinions {
                flow.block("", (2.0 * BODY, 3.0 * BODY), opinion, BODY, 0.0);
            }
            flow.gap(BODY * 0.3);
        }
    }
    if !input.ballots.is_empty() {
        flow.gap(BODY);
        flow.block("", (0.0, 0.0), "评议表决", 12.0, BODY * 1.5);
        for ballot in &input.ballots {
            for (i, line) in ballot.iter().enumerate() {
                let indent = if i == 0 { 0.0 } else { 2.0 * BODY };
                flow.block("", (indent, indent + BODY), line, BODY, 0.0);
            }
            flow.gap(BODY * 0.5);
        }
    }
    flow.gap(BODY);
    let head = format!("事件日志哈希链头：{}", input.chain_head);
    flow.block("", (0.0, 0.0), &head, BODY, 0.0);
    let at = format!("生成时间：{}", input.generated_at);
    flow.block("", (0.0, 0.0), &at, BODY, 0.0);
}

/// Header, rule and "第 N 页 / 共 M 页" footer; needs the final page count.
fn furniture(m: &Metrics, input: &MinutesInput, n: usize, total: usize) -> Vec<Item> {
    let case = fit(m, &input.case_number, SMALL, (RIGHT - LEFT) / 2.0);
    let case_w = m.width(&case, SMALL);
    let title = fit(
        m,
        &input.hearing_title,
        SMALL,
        RIGHT - LEFT - case_w - 4.0 * SMALL,
    );
    let footer = format!("第 {n} 页 / 共 {total} 页");
    let fx = (LEFT + RIGHT - m.width(&footer, SMALL)) / 2.0;
    vec![
        Item::Text(LEFT, HEADER_Y, SMALL, title),
        Item::Text(RIGHT - case_w, HEADER_Y, SMALL, case),
        Item::Rule(HEADER_Y - 0.4 * SMALL),
        Item::Text(fx, FOOTER_Y, SMALL, footer),
    ]
}

fn to_ops(items: Vec<Item>, font: &printpdf::FontId) -> Vec<Op> {
    let grey = Color::Greyscale(Greyscale::new(0.4, None));
    let mut ops = vec![
        Op::SetOutlineThickness { pt: Pt(0.5) },
        Op::SetOutlineColor { col: grey },
    ];
    for item in items {
        match item {
            // One BT/ET per line: `SetTextCursor` is a relative `Td`, so a fresh
            // text object makes it absolute.
            Item::Text(x, y, size, text) => ops.extend([
                Op::StartTextSection,
                Op::SetFont {
                    font: PdfFontHandle::External(font.clone()),
                    size: Pt(size),
                },
                Op::SetTextCursor { pos: pt(x, y) },
                Op::ShowText {
                    items: vec![TextItem::Text(text)],
                },
                Op::EndTextSection,
            ]),
            Item::Rule(y) => {
                let ends = [LEFT, RIGHT].map(|x| LinePoint {
                    p: pt(x, y),
                    bezier: false,
                });
                let line = Line {
                    points: ends.to_vec(),
                    is_closed: false,
                };
                ops.push(Op::DrawLine { line });
            }
        }
    }
    ops
}

pub fn render_minutes(input: &MinutesInput, font_bytes: &[u8]) -> Result<Vec<u8>, PdfError> {
    let font = ParsedFont::from_bytes(font_bytes, 0, &mut Vec::new()).ok_or(PdfError::Font)?;
    let upem = f32::from(font.font_metrics.units_per_em);
    if upem <= 0.0 {
        return Err(PdfError::Font);
    }
    let mut flow = Flow {
        m: Metrics { font: &font, upem },
        pages: vec![Vec::new()],
        y: BODY_TOP,
    };
    body(&mut flow, input);
    let Flow { m, pages, .. } = flow;
    let mut doc = PdfDocument::new(&m.clean(&input.title));
    let font_id = doc.add_font(&font);
    let total = pages.len();
    let pages = pages
        .into_iter()
        .enumerate()
        .map(|(i, items)| {
            let mut ops = to_ops(items, &font_id);
            ops.extend(to_ops(furniture(&m, input, i + 1, total), &font_id));
            PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops)
        })
        .collect();
    let mut warnings = Vec::new();
    // `subset_fonts` only takes effect with printpdf's `text_layout` feature; a
    // failed subset falls back to embedding all 8 MB and reports an Error.
    let opts = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let bytes = doc.with_pages(pages).save(&opts, &mut warnings);
    let errors: Vec<String> = warnings
        .into_iter()
        .filter(|w| w.severity == PdfParseErrorSeverity::Error)
        .map(|w| w.msg)
        .collect();
    if !errors.is_empty() || !bytes.starts_with(b"%PDF") {
        return Err(PdfError::Write(errors.join("; ")));
    }
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Fake metrics: CJK 10, space 3, everything else 5 — no font needed.
    fn adv(c: char) -> f32 {
        match c {
            ' ' => 3.0,
            c if is_cjk(c) => 10.0,
            _ => 5.0,
        }
    }

    fn width(s: &str) -> f32 {
        s.chars().map(adv).sum()
    }

    #[test]
    fn wrap_never_exceeds_width() {
        let text = "听证会于上午九点开始，申请人 Zhang San 陈述了 the main complaint about \
            supercalifragilisticexpialidocious-and-even-longer-identifiers 以及（补充材料）。\n\
            第二段：abc def ghi，jkl。";
        for limit in [30.0, 40.0, 63.0, 100.0, 157.0, 400.0] {
            let rest = limit - 20.0;
            let lines = wrap(text, limit, rest, adv);
            for (i, line) in lines.iter().enumerate() {
                let max = if i == 0 { limit } else { rest };
                assert!(width(line) <= max, "{line:?} wider than {max}");
                // Below ~4 CJK chars per line kinsoku has to give way to the width.
                if rest >= 40.0 {
                    assert!(!line.starts_with(['，', '。', ' ']), "bad start {line:?}");
                }
            }
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let orig: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, orig, "no text lost at limit {limit}");
        }
    }

    #[test]
    fn latin_words_stay_whole_when_they_fit() {
        let lines = wrap("aaaa bbbb cccc", 50.0, 50.0, adv);
        assert_eq!(lines, ["aaaa bbbb", "cccc"]);
        assert_eq!(wrap("中文中文中文", 30.0, 30.0, adv), ["中文中", "文中文"]);
    }

    #[test]
    fn renders_pdf_with_real_font() {
        let Ok(path) = std::env::var("PINGYI_FONT") else {
            println!("PINGYI_FONT unset; skipping PDF render test");
            return;
        };
        let font = std::fs::read(path).unwrap();
        let input = MinutesInput {
            title: "听证评议会议纪要".into(),
            case_number: "海宁信访〔2026〕123号".into(),
            case_title: "关于某小区加装电梯的信访事项".into(),
            hearing_title: "第一次听证会".into(),
            scheduled: "2026年12月3日 09:30".into(),
            place: "海宁市信访局三楼会议室".into(),
            lines: (1..=30)
                .map(|seq| MinutesLine {
                    seq,
                    at: "09:31".into(),
                    author: "主持人".into(),
                    text: "申请人陈述了诉求 and the respondent replied。".repeat(4),
                })
                .collect(),
            exhibits: vec![MinutesExhibit {
                heading: "申-1 欠条照片（信访人 张三 提交；已采纳）".into(),
                sha256: "cd".repeat(32),
                opinions: vec![
                    "住建局（责任单位）：真实性：有异议；合法性：无异议；关联性：无异议".into(),
                ],
            }],
            ballots: vec![vec![
                "表决事项：信访人诉求是否合理（不记名投票；过半数通过；选项：支持、部分支持、不支持）".into(),
                "少数意见（评议员（不记名））：证据不足以支持诉求".into(),
            ]],
            chain_head: "ab".repeat(32),
            generated_at: "2026-12-03 11:00".into(),
        };
        let pdf = render_minutes(&input, &font).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
