//! Hearing minutes ([`MinutesDoc`]) rendered to an A4 PDF with one embedded (subset)
//! CJK font.
//!
//! printpdf 0.12 only places glyphs: it neither wraps nor paginates, and it maps
//! `TextItem::Text` char by char through the font's cmap (no shaping, no kerning).
//! So we lay out ourselves, measuring with the same hmtx advances the viewer will
//! use, which keeps the measured width and the rendered width identical.
//!
//! Two stages: `lay_out` turns the document into positioned `Item`s, page by
//! page, measuring through `Measure` (the font's advances, or fake ones in the
//! tests, so layout is tested without a font file); `write_pdf` turns the items
//! into printpdf ops. Both are pure functions: no IO, no threads.

use app::domain::minutes::{Block, Column, MinutesDoc, Signatory};
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Polygon, PolygonRing, Pt,
    Rect, TextItem, TextMatrix, WindingOrder,
};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("font could not be parsed")]
    Font,
    #[error("pdf could not be written: {0}")]
    Write(String),
}

/// The minutes as an A4 PDF: running header (and "草稿" on every page of a draft),
/// "第 N 页 / 共 M 页", tables that break across pages with their header row
/// repeated, a signature block kept on one page and the verification QR code.
pub fn render_minutes(doc: &MinutesDoc, font_bytes: &[u8]) -> Result<Vec<u8>, PdfError> {
    let font = ParsedFont::from_bytes(font_bytes, 0, &mut Vec::new()).ok_or(PdfError::Font)?;
    let upem = f32::from(font.font_metrics.units_per_em);
    if upem <= 0.0 {
        return Err(PdfError::Font);
    }
    let m = FontMetrics { font: &font, upem };
    let pages = lay_out(doc, &m);
    write_pdf(
        &clean_line(&m, &doc.title),
        doc.generated_at_ms,
        pages,
        &font,
    )
}

// ---------------------------------------------------------------------------
// Page geometry, in PDF points from the bottom-left corner.

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
/// A wider inner margin leaves room to bind the printed minutes.
const LEFT: f32 = 25.0 * MM;
const RIGHT: f32 = PAGE_W - 20.0 * MM;
const WIDTH: f32 = RIGHT - LEFT;
/// Body runs between these; header and footer live in the margins outside them.
const BODY_TOP: f32 = PAGE_H - 25.0 * MM;
const BODY_BOTTOM: f32 = 20.0 * MM;
const BODY_H: f32 = BODY_TOP - BODY_BOTTOM;
const HEADER_Y: f32 = PAGE_H - 15.0 * MM;
const HEADER_RULE_Y: f32 = PAGE_H - 17.5 * MM;
const FOOTER_Y: f32 = 12.0 * MM;

const TITLE: f32 = 18.0; // 小二
const HEADING: f32 = 12.0; // 小四
const BODY: f32 = 10.5; // 五号, the usual size for official documents
const SMALL: f32 = 9.0; // 小五
/// Table cells; dense tables read better a size down from the body.
const CELL: f32 = SMALL;
/// Line height over font size.
const LEADING: f32 = 1.5;
const CELL_LEADING: f32 = 1.35;
const CELL_PAD_X: f32 = 1.5 * MM;
const CELL_PAD_Y: f32 = 0.4 * CELL;
/// Noto CJK ideographs sit in an em box from 0.88 em above the baseline to 0.12 below.
const ASCENT: f32 = 0.88;
const DESCENT: f32 = 0.12;
/// Grid and rules: thin, dark grey.
const HAIRLINE: f32 = 0.5;
const GRID_GREY: f32 = 0.35;
const HEADER_FILL: f32 = 0.9;
/// Running header and footer, and small print, in dark grey.
const FURNITURE_GREY: f32 = 0.3;
const SMALL_GREY: f32 = 0.2;
/// The hand-signing rule and the QR code.
const SIGN_RULE: f32 = 40.0 * MM;
const QR_SIZE: f32 = 25.0 * MM;
const DRAFT: &str = "草稿（未定稿）";
/// Longest table header cell and verification URL, in lines; longer ones are cut.
const HEADER_LINES: usize = 4;
const URL_LINES: usize = 6;
/// Slack for float comparisons of positions.
const EPS: f32 = 0.01;

/// Something to draw, in PDF points from the bottom-left corner.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    /// Text starting at x on the baseline y; grey 0 is black; `spacing` widens
    /// each gap where [`stretches`] allows (to justify a line).
    /// after every char (PDF `Tc`, to justify a line).
    Text {
        x: f32,
        y: f32,
        size: f32,
        grey: f32,
        spacing: f32,
        text: String,
    },
    /// A straight stroke.
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        grey: f32,
    },
    /// A rectangle (x, y bottom-left), filled with a grey and/or stroked with a width.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<f32>,
    },
    /// Black rectangles `[x, y, w, h]` filled as one path (the QR code's modules).
    Dark(Vec<[f32; 4]>),
}

/// One laid out page: the body (inside the body box) and the running header and
/// footer (outside it).
#[derive(Debug, Default)]
struct Page {
    body: Vec<Item>,
    furniture: Vec<Item>,
}

// ---------------------------------------------------------------------------
// Measuring.

/// Advances for layout; `advance` must agree with the /W widths printpdf writes.
trait Measure {
    /// Advance of one char in points at `size`.
    fn advance(&self, c: char, size: f32) -> f32;
    /// Whether the font can draw `c` (else `clean` replaces it).
    fn has_glyph(&self, c: char) -> bool;

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(c, size)).sum()
    }
}

struct FontMetrics<'a> {
    font: &'a ParsedFont,
    upem: f32,
}

impl Measure for FontMetrics<'_> {
    fn advance(&self, c: char, size: f32) -> f32 {
        let gid = self.font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
        f32::from(self.font.get_horizontal_advance(gid)) * size / self.upem
    }

    fn has_glyph(&self, c: char) -> bool {
        self.font.lookup_glyph_index(u32::from(c)).is_some()
    }
}

/// Control chars become spaces and chars without a glyph `?`, so nothing renders as
/// tofu; `\n` survives (a new line).
fn clean(m: &impl Measure, s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\n' | '\r' => '\n',
            c if c.is_control() => ' ',
            c if m.has_glyph(c) => c,
            _ => '?',
        });
    }
    out
}

/// `clean` for one-line text (headers, labels): new lines become spaces.
fn clean_line(m: &impl Measure, s: &str) -> String {
    clean(m, s).replace('\n', " ")
}

/// Shortens `s` with "…" so it fits `max` points (used for the one-line header).
fn fit(m: &impl Measure, s: &str, size: f32, max: f32) -> String {
    let s = clean_line(m, s);
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

/// Greedy line breaking. CJK chars break anywhere; Latin runs break at spaces and
/// are only split when a single word is wider than a whole line. `first` is the
/// width of the first line, `rest` of every following one (for hanging indents).
/// Always returns at least one (maybe empty) line; every line holds at least one
/// char, however narrow the width.
fn wrap(text: &str, first: f32, rest: f32, adv: impl Fn(char) -> f32) -> Vec<String> {
    wrap_lines(text, first, rest, adv)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// [`wrap`], telling for each line whether the width broke it (`true`: it may be
/// justified) or the paragraph ended there.
fn wrap_lines(text: &str, first: f32, rest: f32, adv: impl Fn(char) -> f32) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    let (mut cur, mut w) = (String::new(), 0.0_f32);
    let limit = |n: usize| if n == 0 { first } else { rest };
    for para in text.split('\n') {
        for tok in tokens(para) {
            if tok.starts_with(' ') {
                // Spaces only separate words: dropped at a break and at line starts.
                let tw = adv(' ');
                if !cur.is_empty() && w + tw <= limit(lines.len()) {
                    cur.push(' ');
                    w += tw;
                }
                continue;
            }
            let tw: f32 = tok.chars().map(&adv).sum();
            // A word wider than any line is split right here rather than leaving
            // the current line half empty.
            if w + tw > limit(lines.len()) && !cur.is_empty() && tw <= rest {
                lines.push((std::mem::take(&mut cur).trim_end().to_string(), true));
                w = 0.0;
            }
            for c in tok.chars() {
                // Only a word longer than a whole line gets here with too little room.
                let cw = adv(c);
                if w + cw > limit(lines.len()) && !cur.is_empty() {
                    lines.push((std::mem::take(&mut cur).trim_end().to_string(), true));
                    w = 0.0;
                }
                cur.push(c);
                w += cw;
            }
        }
        lines.push((std::mem::take(&mut cur).trim_end().to_string(), false));
        w = 0.0;
    }
    lines
}

/// At most `max` lines; a cut shows as "…" (replacing two chars, so the line
/// does not grow).
fn cap(mut lines: Vec<String>, max: usize) -> Vec<String> {
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            last.pop();
            last.pop();
            last.push('…');
        }
    }
    lines
}

/// Splits into break units: a run of spaces, one CJK char, or a run of other chars.
/// Only ASCII space breaks Latin text (`clean` turned tabs into it); NBSP glues and
/// U+3000 is a CJK char, so full-width indentation survives.
/// Closing punctuation sticks to what precedes it and opening to what follows,
/// so no line starts with "，" or ends with "（".
fn tokens(s: &str) -> Vec<&str> {
    const NO_START: &str = "，。、；：！？）》」』】〕,.;:!?)]%";
    const NO_END: &str = "（《「『【〔([";
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut glue = false; // the previous char must not end a line
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let end = i + c.len_utf8();
        let space = c == ' ';
        let latin = !space && !is_cjk(c);
        match (out.last_mut(), prev) {
            (Some(t), Some(p)) if space && p == ' ' => t.1 = end,
            (Some(t), Some(p)) if p != ' ' && !space && (glue || NO_START.contains(c)) => {
                t.1 = end;
            }
            (Some(t), Some(p)) if latin && p != ' ' && !is_cjk(p) => t.1 = end,
            _ => out.push((i, end)),
        }
        glue = NO_END.contains(c);
        prev = Some(c);
    }
    out.into_iter().map(|(a, b)| &s[a..b]).collect()
}

/// Where justifying may widen a line: next to a CJK char (ideographs, full-width
/// punctuation) and at spaces, never inside a Latin word or number.
fn stretches(a: char, b: char) -> bool {
    is_cjk(a) || is_cjk(b) || a == ' ' || b == ' '
}

fn stretch_count(line: &str) -> usize {
    line.chars()
        .zip(line.chars().skip(1))
        .filter(|&(a, b)| stretches(a, b))
        .count()
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

// ---------------------------------------------------------------------------
// Layout.

/// The whole document laid out: body pages, then the header and footer of each.
fn lay_out(doc: &MinutesDoc, m: &impl Measure) -> Vec<Page> {
    let mut flow = Flow::new(m);
    flow.title(&doc.title);
    for (i, block) in doc.blocks.iter().enumerate() {
        let next = doc.blocks.get(i + 1);
        match block {
            Block::Heading(text) => flow.heading(text, next),
            Block::Facts(facts) => flow.facts(facts),
            Block::Para(text) => flow.paragraph(text, BODY, 0.0),
            Block::Small(text) => flow.paragraph(text, SMALL, SMALL_GREY),
            Block::Table { columns, rows } => flow.table(columns, rows),
            Block::Signatures(signatories) => flow.signatures(signatories),
        }
    }
    if let Some(url) = &doc.verify_url {
        flow.qr(url);
    }
    let total = flow.pages.len();
    flow.pages
        .into_iter()
        .enumerate()
        .map(|(i, body)| Page {
            body,
            furniture: furniture(m, doc, i + 1, total),
        })
        .collect()
}

/// Flows items down the body area, starting a new page when the next piece won't fit.
struct Flow<'m, M> {
    m: &'m M,
    pages: Vec<Vec<Item>>,
    /// Top of the free space on the last page.
    y: f32,
}

impl<'m, M: Measure> Flow<'m, M> {
    fn new(m: &'m M) -> Self {
        Flow {
            m,
            pages: vec![Vec::new()],
            y: BODY_TOP,
        }
    }

    fn room(&self) -> f32 {
        self.y - BODY_BOTTOM
    }

    /// Nothing placed on this page yet: breaking again would not help.
    fn fresh(&self) -> bool {
        self.y >= BODY_TOP - EPS
    }

    fn break_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
    }

    /// Breaks the page unless `need` fits below. Never breaks a fresh page, so
    /// something taller than a page is placed anyway (callers split it).
    fn ensure(&mut self, need: f32) {
        if need > self.room() + EPS && !self.fresh() {
            self.break_page();
        }
    }

    /// Vertical space between blocks; swallowed at the top of a page.
    fn gap(&mut self, h: f32) {
        if !self.fresh() {
            self.y = (self.y - h).max(BODY_BOTTOM);
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    /// One line of text in a line box of height `lh` whose top is `top`.
    fn text(&mut self, x: f32, top: f32, font: (f32, f32), grey: f32, text: String) {
        self.spaced(x, top, font, grey, 0.0, text);
    }

    fn spaced(
        &mut self,
        x: f32,
        top: f32,
        (size, lh): (f32, f32),
        grey: f32,
        spacing: f32,
        text: String,
    ) {
        if text.is_empty() {
            return;
        }
        let y = top - (lh - size) / 2.0 - ASCENT * size;
        self.push(Item::Text {
            x,
            y,
            size,
            grey,
            spacing,
            text,
        });
    }

    fn wrap(&self, text: &str, width: f32, size: f32) -> Vec<String> {
        let m = self.m;
        wrap(text, width, width, |c| m.advance(c, size))
    }

    /// Wrapped lines with the spacing that justifies each to `width` (0 for the
    /// last line of a paragraph, and where the gaps would grow too wide).
    fn justified(&self, text: &str, width: f32, size: f32) -> Vec<(String, f32)> {
        let m = self.m;
        wrap_lines(text, width, width, |c| m.advance(c, size))
            .into_iter()
            .map(|(line, soft)| {
                let gaps = stretch_count(&line);
                let extra = width - m.width(&line, size);
                let spacing = if soft && gaps > 0 && extra > 0.0 {
                    extra / gaps as f32
                } else {
                    0.0
                };
                let spacing = if spacing <= 0.25 * size { spacing } else { 0.0 };
                (line, spacing)
            })
            .collect()
    }

    fn title(&mut self, title: &str) {
        let lh = TITLE * LEADING;
        let title = clean(self.m, title);
        for line in self.wrap(&title, WIDTH, TITLE) {
            self.ensure(lh);
            let x = LEFT + (WIDTH - self.m.width(&line, TITLE)) / 2.0;
            let top = self.y;
            self.text(x, top, (TITLE, lh), 0.0, line);
            self.y -= lh;
        }
        self.y -= BODY;
    }

    /// A heading is kept with the first lines (or rows) of what follows it.
    fn heading(&mut self, text: &str, next: Option<&Block>) {
        let lh = HEADING * LEADING;
        let after = 0.3 * BODY;
        let lines = self.wrap(&clean(self.m, text), WIDTH, HEADING);
        let own = lines.len() as f32 * lh + after;
        let keep = self.lead(next).min(BODY_H - own).max(0.0);
        self.gap(0.8 * BODY);
        self.ensure(own + keep);
        for line in lines {
            self.ensure(lh);
            let top = self.y;
            self.text(LEFT, top, (HEADING, lh), 0.0, line);
            self.y -= lh;
        }
        self.y -= after;
    }

    /// Height of the start of `next` that must share the page with a heading: two
    /// lines, a table's header with its first row, or a whole signature block.
    fn lead(&self, next: Option<&Block>) -> f32 {
        match next {
            None => 0.0,
            Some(Block::Heading(_)) => 0.8 * BODY + HEADING * LEADING,
            Some(Block::Facts(_) | Block::Para(_)) => 2.0 * BODY * LEADING,
            Some(Block::Small(_)) => 2.0 * SMALL * LEADING,
            Some(Block::Table { columns, rows }) => {
                0.3 * BODY + TableLayout::new(self, columns, rows).lead(self, rows)
            }
            Some(Block::Signatures(s)) => BODY + SignatureLayout::new(self, s).total(),
        }
    }

    /// Wrapped text at `size`; a paragraph does not leave its first line alone at
    /// the bottom of a page.
    fn paragraph(&mut self, text: &str, size: f32, grey: f32) {
        let lh = size * LEADING;
        let lines = self.justified(&clean(self.m, text), WIDTH, size);
        let n = lines.len();
        for (i, (line, spacing)) in lines.into_iter().enumerate() {
            self.ensure(if i == 0 && n > 1 { 2.0 * lh } else { lh });
            let top = self.y;
            self.spaced(LEFT, top, (size, lh), grey, spacing, line);
            self.y -= lh;
        }
        self.gap(0.4 * BODY);
    }

    /// Label–value pairs: labels left, values aligned at the widest label and
    /// wrapped with a hanging indent there. Labels wider than a third of the line
    /// wrap in their column.
    fn facts(&mut self, facts: &[(String, String)]) {
        let lh = BODY * LEADING;
        let labels: Vec<String> = facts
            .iter()
            .map(|(label, _)| {
                let label = clean_line(self.m, label.trim_end());
                if label.is_empty() || label.ends_with(['：', ':']) {
                    label
                } else {
                    label + "："
                }
            })
            .collect();
        let col = labels
            .iter()
            .map(|l| self.m.width(l, BODY))
            .fold(0.0, f32::max)
            .min(WIDTH / 3.0);
        for (label, (_, value)) in labels.iter().zip(facts) {
            // The widest label fits its column whatever order the widths add up in.
            let label = self.wrap(label, col + EPS, BODY);
            let value = self.justified(&clean(self.m, value), WIDTH - col, BODY);
            let (mut label, mut value) = (label.into_iter(), value.into_iter());
            loop {
                let (l, v) = (label.next(), value.next());
                if l.is_none() && v.is_none() {
                    break;
                }
                self.ensure(lh);
                let top = self.y;
                if let Some(l) = l {
                    self.text(LEFT, top, (BODY, lh), 0.0, l);
                }
                if let Some((v, spacing)) = v {
                    self.spaced(LEFT + col, top, (BODY, lh), 0.0, spacing, v);
                }
                self.y -= lh;
            }
        }
        self.gap(0.5 * BODY);
    }

    /// A grid that breaks between rows, repeating its header row on every page.
    /// A row taller than a page is split between its lines.
    fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        let t = TableLayout::new(self, columns, rows);
        if t.xs.len() < 2 {
            return;
        }
        let lh = CELL * CELL_LEADING;
        self.gap(0.3 * BODY);
        self.ensure(t.lead(self, rows));
        let mut seg_top = self.table_top(&t);
        let mut rows_here = 0;
        for row in rows {
            let cells = t.cells(self, row);
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = t.row_h(&cells);
            // A row that fits a page moves to the next one whole; one taller than
            // a page is split anyway, so it starts here unless only a sliver is left.
            let whole = h <= BODY_H - t.header_h + EPS;
            let sliver = self.room() < 3.0 * lh + 2.0 * CELL_PAD_Y;
            if h > self.room() + EPS && rows_here > 0 && (whole || sliver) {
                self.table_break(&t, &mut seg_top);
                rows_here = 0;
            }
            // Still taller than the room left: split between lines.
            let mut start = 0;
            loop {
                let fit = ((self.room() - 2.0 * CELL_PAD_Y + EPS) / lh).floor();
                let fit = if fit >= 1.0 { fit as usize } else { 1 };
                let end = (start + fit).min(lines);
                self.table_row(&t.xs, &cells, start..end, None);
                rows_here += 1;
                if end >= lines {
                    break;
                }
                start = end;
                self.table_break(&t, &mut seg_top);
                rows_here = 0;
            }
        }
        self.table_verticals(&t.xs, seg_top);
        self.gap(0.6 * BODY);
    }

    /// Starts the table on this page: the top rule and, if any, the header row.
    /// Returns where the page's grid segment begins.
    fn table_top(&mut self, t: &TableLayout) -> f32 {
        let top = self.y;
        self.rule(t.xs[0], t.xs[t.xs.len() - 1], top);
        if let Some(header) = &t.header {
            let lines = header.iter().map(Vec::len).max().unwrap_or(1);
            self.table_row(&t.xs, header, 0..lines, Some(HEADER_FILL));
        }
        top
    }

    /// Closes the grid on this page and continues the table on the next.
    fn table_break(&mut self, t: &TableLayout, seg_top: &mut f32) {
        self.table_verticals(&t.xs, *seg_top);
        self.break_page();
        *seg_top = self.table_top(t);
    }

    /// Lines `range` of each cell as one grid row at the current y, with its bottom rule.
    fn table_row(
        &mut self,
        xs: &[f32],
        cells: &[Vec<String>],
        range: std::ops::Range<usize>,
        fill: Option<f32>,
    ) {
        let lh = CELL * CELL_LEADING;
        let top = self.y;
        let h = range.len() as f32 * lh + 2.0 * CELL_PAD_Y;
        let (x0, x1) = (xs[0], xs[xs.len() - 1]);
        if fill.is_some() {
            self.push(Item::Rect {
                x: x0,
                y: top - h,
                w: x1 - x0,
                h,
                fill,
                stroke: None,
            });
        }
        for (cell, x) in cells.iter().zip(xs) {
            let lines = &cell[range.start.min(cell.len())..range.end.min(cell.len())];
            for (k, line) in lines.iter().enumerate() {
                let line_top = top - CELL_PAD_Y - k as f32 * lh;
                self.text(x + CELL_PAD_X, line_top, (CELL, lh), 0.0, line.clone());
            }
        }
        self.y -= h;
        let bottom = self.y;
        self.rule(x0, x1, bottom);
    }

    fn table_verticals(&mut self, xs: &[f32], top: f32) {
        let bottom = self.y;
        for &x in xs {
            self.push(Item::Line {
                from: (x, top),
                to: (x, bottom),
                width: HAIRLINE,
                grey: GRID_GREY,
            });
        }
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32) {
        self.push(Item::Line {
            from: (x0, y),
            to: (x1, y),
            width: HAIRLINE,
            grey: GRID_GREY,
        });
    }

    /// 签名栏: per signatory a row of "身份：姓名", the confirmation in small print and
    /// "签名：" with a rule to sign on paper. Kept on one page when it fits one.
    fn signatures(&mut self, signatories: &[Signatory]) {
        if signatories.is_empty() {
            return;
        }
        let s = SignatureLayout::new(self, signatories);
        self.gap(BODY);
        self.ensure(s.total());
        let (blh, slh) = (BODY * LEADING, SMALL * LEADING);
        for entry in s.entries {
            self.ensure(entry.h);
            let top = self.y - SignatureLayout::PAD;
            for (k, line) in entry.name.into_iter().enumerate() {
                self.text(LEFT, top - k as f32 * blh, (BODY, blh), 0.0, line);
            }
            // The confirmation and the signing line share the first line's baseline.
            let baseline = top - (blh - BODY) / 2.0 - ASCENT * BODY;
            for (k, line) in entry.confirmation.into_iter().enumerate() {
                let line_top = baseline - k as f32 * slh + (slh - SMALL) / 2.0 + ASCENT * SMALL;
                self.text(s.confirm_x, line_top, (SMALL, slh), SMALL_GREY, line);
            }
            self.push(Item::Text {
                x: s.sign_x,
                y: baseline,
                size: BODY,
                grey: 0.0,
                spacing: 0.0,
                text: SignatureLayout::LABEL.to_owned(),
            });
            self.push(Item::Line {
                from: (s.sign_x + s.label_w, baseline - 2.0),
                to: (RIGHT, baseline - 2.0),
                width: 0.6,
                grey: 0.0,
            });
            self.y -= entry.h;
        }
    }

    /// The verification QR code with its caption and URL to its right.
    fn qr(&mut self, url: &str) {
        let code = qrcode::QrCode::new(url.as_bytes()).ok();
        let (blh, slh) = (BODY * LEADING, SMALL * LEADING);
        let (text_x, caption) = match &code {
            Some(_) => (LEFT + QR_SIZE + 6.0 * MM, "扫码验证纪要真伪"),
            None => (LEFT, "验证纪要真伪："),
        };
        let url = cap(
            self.wrap(&clean_line(self.m, url), RIGHT - text_x, SMALL),
            URL_LINES,
        );
        let text_h = blh + url.len() as f32 * slh;
        let (module, quiet) = match &code {
            Some(code) => {
                let module = QR_SIZE / code.width().max(1) as f32;
                (module, 4.0 * module)
            }
            None => (0.0, 0.0),
        };
        let h = if code.is_some() {
            2.0 * quiet + QR_SIZE.max(text_h)
        } else {
            text_h
        };
        self.gap(BODY);
        self.ensure(h);
        let top = self.y - quiet;
        if let Some(code) = code {
            let n = code.width();
            let colors = code.to_colors();
            let mut rects = Vec::new();
            for (r, row) in colors.chunks(n.max(1)).enumerate() {
                let y = top - (r + 1) as f32 * module;
                let mut c = 0;
                while c < row.len() {
                    if row[c] != qrcode::Color::Dark {
                        c += 1;
                        continue;
                    }
                    let start = c;
                    while c < row.len() && row[c] == qrcode::Color::Dark {
                        c += 1;
                    }
                    let x = LEFT + start as f32 * module;
                    rects.push([x, y, (c - start) as f32 * module, module]);
                }
            }
            self.push(Item::Dark(rects));
        }
        self.text(text_x, top, (BODY, blh), 0.0, caption.to_owned());
        for (k, line) in url.into_iter().enumerate() {
            let line_top = top - blh - k as f32 * slh;
            self.text(text_x, line_top, (SMALL, slh), SMALL_GREY, line);
        }
        self.y -= h;
    }
}

/// Column edges and the wrapped header of a table.
struct TableLayout {
    /// x of each column edge, left to right (columns + 1 of them).
    xs: Vec<f32>,
    header: Option<Vec<Vec<String>>>,
    /// At most [`HEADER_LINES`] lines, so repeating it leaves room on every page.
    header_h: f32,
}

impl TableLayout {
    fn new<M: Measure>(flow: &Flow<M>, columns: &[Column], rows: &[Vec<String>]) -> Self {
        let n = columns
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0));
        // Columns the header does not name get the average share.
        let named: u32 = columns.iter().map(|c| u32::from(c.share.max(1))).sum();
        let avg = if columns.is_empty() {
            1
        } else {
            (named / columns.len() as u32).max(1)
        };
        let shares: Vec<u32> = (0..n)
            .map(|i| columns.get(i).map_or(avg, |c| u32::from(c.share.max(1))))
            .collect();
        let total = shares.iter().sum::<u32>().max(1) as f32;
        let mut xs = Vec::with_capacity(n + 1);
        let mut acc = 0;
        xs.push(LEFT);
        for share in &shares {
            acc += share;
            xs.push(LEFT + WIDTH * acc as f32 / total);
        }
        let mut t = TableLayout {
            xs,
            header: None,
            header_h: 0.0,
        };
        if !columns.is_empty() {
            let titles: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
            let header: Vec<Vec<String>> = t
                .cells(flow, &titles)
                .into_iter()
                .map(|cell| cap(cell, HEADER_LINES))
                .collect();
            t.header_h = t.row_h(&header);
            t.header = Some(header);
        }
        t
    }

    /// Each cell of `row` wrapped to its column, minus the padding.
    fn cells<M: Measure>(&self, flow: &Flow<M>, row: &[String]) -> Vec<Vec<String>> {
        self.xs
            .windows(2)
            .enumerate()
            .map(|(i, edge)| {
                let text = row.get(i).map_or("", String::as_str);
                let inner = edge[1] - edge[0] - 2.0 * CELL_PAD_X;
                flow.wrap(&clean(flow.m, text), inner, CELL)
            })
            .collect()
    }

    /// What must fit below for the table to start: the header row never stands
    /// alone at the bottom of a page, the first row comes with it (its first lines
    /// when it is taller than a page and split anyway).
    fn lead<M: Measure>(&self, flow: &Flow<M>, rows: &[Vec<String>]) -> f32 {
        let first = rows
            .first()
            .map_or(0.0, |r| self.row_h(&self.cells(flow, r)));
        let first = if first <= BODY_H - self.header_h {
            first
        } else {
            3.0 * CELL * CELL_LEADING + 2.0 * CELL_PAD_Y
        };
        self.header_h + first
    }

    fn row_h(&self, cells: &[Vec<String>]) -> f32 {
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        lines as f32 * CELL * CELL_LEADING + 2.0 * CELL_PAD_Y
    }
}

struct SignatureEntry {
    name: Vec<String>,
    confirmation: Vec<String>,
    h: f32,
}

/// Three columns: who, the online confirmation, the line to sign on.
struct SignatureLayout {
    entries: Vec<SignatureEntry>,
    confirm_x: f32,
    sign_x: f32,
    label_w: f32,
}

impl SignatureLayout {
    const LABEL: &str = "签名：";
    /// Room above each line to sign in (with the line's own ascent, about 8 mm).
    const PAD: f32 = 12.0;
    /// A name or confirmation longer than this is cut, so an entry fits a page.
    const MAX_LINES: usize = 6;

    fn new<M: Measure>(flow: &Flow<M>, signatories: &[Signatory]) -> Self {
        let (blh, slh) = (BODY * LEADING, SMALL * LEADING);
        let label_w = flow.m.width(Self::LABEL, BODY);
        let sign_x = RIGHT - SIGN_RULE - label_w;
        let confirm_x = LEFT + 50.0 * MM;
        let name_w = confirm_x - LEFT - 3.0 * MM;
        let confirm_w = sign_x - confirm_x - 4.0 * MM;
        // From the top of a body line to the top of a small line on its baseline.
        let offset = (blh - BODY) / 2.0 + ASCENT * BODY - (slh - SMALL) / 2.0 - ASCENT * SMALL;
        let entries = signatories
            .iter()
            .map(|s| {
                let capacity = clean_line(flow.m, &s.capacity);
                let line = format!("{capacity}：{}", clean_line(flow.m, &s.name));
                let name = cap(flow.wrap(&line, name_w, BODY), Self::MAX_LINES);
                let confirmation = clean(flow.m, &s.confirmation);
                let confirmation = cap(flow.wrap(&confirmation, confirm_w, SMALL), Self::MAX_LINES);
                let h = Self::PAD
                    + (name.len() as f32 * blh).max(offset + confirmation.len() as f32 * slh)
                    + 2.0;
                SignatureEntry {
                    name,
                    confirmation,
                    h,
                }
            })
            .collect();
        SignatureLayout {
            entries,
            confirm_x,
            sign_x,
            label_w,
        }
    }

    fn total(&self) -> f32 {
        self.entries.iter().map(|e| e.h).sum()
    }
}

/// Header (hearing left, case number right, "草稿" framed in the centre of a
/// draft), its hairline, and the "第 N 页 / 共 M 页" footer.
fn furniture(m: &impl Measure, doc: &MinutesDoc, n: usize, total: usize) -> Vec<Item> {
    let gap = 4.0 * MM;
    let mut items = Vec::with_capacity(6);
    let (left_max, right_max) = if doc.draft {
        let w = m.width(DRAFT, SMALL);
        let x = LEFT + (WIDTH - w) / 2.0;
        items.push(Item::Text {
            x,
            y: HEADER_Y,
            size: SMALL,
            grey: 0.0,
            spacing: 0.0,
            text: DRAFT.to_owned(),
        });
        items.push(Item::Rect {
            x: x - 2.0,
            y: HEADER_Y - DESCENT * SMALL - 2.0,
            w: w + 4.0,
            h: SMALL + 4.0,
            fill: None,
            stroke: Some(0.6),
        });
        let side = (WIDTH - w) / 2.0 - gap;
        (side, side)
    } else {
        (WIDTH, WIDTH / 2.0)
    };
    let right = fit(m, &doc.header_right, SMALL, right_max);
    let right_w = m.width(&right, SMALL);
    let left_max = left_max.min(WIDTH - right_w - gap);
    let left = fit(m, &doc.header_left, SMALL, left_max);
    let footer = format!("第 {n} 页 / 共 {total} 页");
    let footer_x = LEFT + (WIDTH - m.width(&footer, SMALL)) / 2.0;
    for (x, y, text) in [
        (LEFT, HEADER_Y, left),
        (RIGHT - right_w, HEADER_Y, right),
        (footer_x, FOOTER_Y, footer),
    ] {
        if text.is_empty() {
            continue;
        }
        items.push(Item::Text {
            x,
            y,
            size: SMALL,
            grey: FURNITURE_GREY,
            spacing: 0.0,
            text,
        });
    }
    items.push(Item::Line {
        from: (LEFT, HEADER_RULE_Y),
        to: (RIGHT, HEADER_RULE_Y),
        width: HAIRLINE,
        grey: FURNITURE_GREY,
    });
    items
}

// ---------------------------------------------------------------------------
// PDF writing.

fn pt(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

fn write_pdf(
    title: &str,
    made_at_ms: i64,
    pages: Vec<Page>,
    font: &ParsedFont,
) -> Result<Vec<u8>, PdfError> {
    let mut doc = PdfDocument::new(title);
    // The document's own dates are when this copy was made (printpdf's default
    // is 1970-01-01, which a reader's properties dialog shows).
    if let Ok(made) = printpdf::OffsetDateTime::from_unix_timestamp(made_at_ms.div_euclid(1000)) {
        let info = &mut doc.metadata.info;
        info.creation_date = made;
        info.modification_date = made;
        info.metadata_date = made;
    }
    let font_id = doc.add_font(font);
    let pages = pages
        .into_iter()
        .map(|page| PdfPage::new(Mm(210.0), Mm(297.0), page_ops(page, &font_id)))
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

/// Graphics first (fills under the text), then all text in one text object.
fn page_ops(page: Page, font: &FontId) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut texts = Vec::new();
    // PDF defaults at the start of every content stream: black, 1 pt lines.
    let (mut fill, mut stroke, mut width) = (0.0_f32, 0.0_f32, 1.0_f32);
    let mut set_fill = |ops: &mut Vec<Op>, level: f32| {
        if fill != level {
            fill = level;
            ops.push(Op::SetFillColor { col: grey(level) });
        }
    };
    let mut set_stroke = |ops: &mut Vec<Op>, w: f32, level: f32| {
        if width != w {
            width = w;
            ops.push(Op::SetOutlineThickness { pt: Pt(w) });
        }
        if stroke != level {
            stroke = level;
            ops.push(Op::SetOutlineColor { col: grey(level) });
        }
    };
    for item in page.body.into_iter().chain(page.furniture) {
        match item {
            Item::Text { .. } => texts.push(item),
            Item::Line {
                from,
                to,
                width: w,
                grey: level,
            } => {
                set_stroke(&mut ops, w, level);
                let points = [from, to]
                    .map(|(x, y)| LinePoint {
                        p: pt(x, y),
                        bezier: false,
                    })
                    .to_vec();
                ops.push(Op::DrawLine {
                    line: Line {
                        points,
                        is_closed: false,
                    },
                });
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill: f,
                stroke: s,
            } => {
                let mode = match (f, s) {
                    (Some(level), None) => {
                        set_fill(&mut ops, level);
                        PaintMode::Fill
                    }
                    (None, Some(sw)) => {
                        set_stroke(&mut ops, sw, 0.0);
                        PaintMode::Stroke
                    }
                    (Some(level), Some(sw)) => {
                        set_fill(&mut ops, level);
                        set_stroke(&mut ops, sw, 0.0);
                        PaintMode::FillStroke
                    }
                    (None, None) => continue,
                };
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(x),
                        y: Pt(y),
                        width: Pt(w),
                        height: Pt(h),
                        mode: Some(mode),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            Item::Dark(rects) => {
                if rects.is_empty() {
                    continue;
                }
                set_fill(&mut ops, 0.0);
                let rings = rects
                    .into_iter()
                    .map(|[x, y, w, h]| PolygonRing {
                        points: [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
                            .map(|(x, y)| LinePoint {
                                p: pt(x, y),
                                bezier: false,
                            })
                            .to_vec(),
                    })
                    .collect();
                ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings,
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
            }
        }
    }
    if texts.is_empty() {
        return ops;
    }
    // One BT/ET: `SetTextMatrix` (Tm) places each line absolutely.
    ops.push(Op::StartTextSection);
    let mut size_now = 0.0;
    for item in texts {
        let Item::Text {
            x,
            y,
            size,
            grey: level,
            spacing,
            text,
        } = item
        else {
            continue;
        };
        set_fill(&mut ops, level);
        if size != size_now {
            size_now = size;
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font.clone()),
                size: Pt(size),
            });
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(x), Pt(y)),
        });
        ops.push(Op::ShowText {
            items: justify(text, spacing, size),
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

/// The line as TJ items: runs of text with a shift (in thousandths of an em,
/// negative moves right) at every gap that [`stretches`].
fn justify(text: String, spacing: f32, size: f32) -> Vec<TextItem> {
    if spacing <= 0.0 {
        return vec![TextItem::Text(text)];
    }
    let shift = -spacing * 1000.0 / size;
    let mut items = Vec::new();
    let mut run = String::new();
    let mut prev = None;
    for c in text.chars() {
        if prev.is_some_and(|p| stretches(p, c)) {
            items.push(TextItem::Text(std::mem::take(&mut run)));
            items.push(TextItem::Offset(shift));
        }
        run.push(c);
        prev = Some(c);
    }
    items.push(TextItem::Text(run));
    items
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Fake metrics at size 10: CJK 10, space 3, everything else 5 — no font needed.
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

    struct Fake;

    impl Measure for Fake {
        fn advance(&self, c: char, size: f32) -> f32 {
            adv(c) * size / 10.0
        }

        fn has_glyph(&self, c: char) -> bool {
            c != '\u{E000}'
        }
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
        assert_eq!(wrap("a  b", 100.0, 100.0, adv), ["a b"]);
        assert_eq!(wrap("", 100.0, 100.0, adv), [""]);
        // Narrower than one char: still one char per line, no endless loop.
        assert_eq!(wrap("中文", 1.0, 1.0, adv), ["中", "文"]);
    }

    #[test]
    fn tokens_keep_punctuation_with_its_word() {
        assert_eq!(
            tokens("说（补充）。ab cd"),
            ["说", "（补", "充）。", "ab", " ", "cd"]
        );
        assert_eq!(tokens("a   b"), ["a", "   ", "b"]);
    }

    #[test]
    fn clean_replaces_what_the_font_lacks() {
        assert_eq!(clean(&Fake, "a\r\nb\tc\u{E000}\rd"), "a\nb c?\nd");
    }

    fn cell_text(i: usize) -> String {
        if i.is_multiple_of(7) {
            format!("第{i}号证据：关于涉案房屋加装电梯的协调会议记录及相关住户签字意见汇总，共计十二页。")
                .repeat(3)
        } else {
            format!("申-{i} 照片")
        }
    }

    fn sample(rows: usize, record: usize, signatories: usize, draft: bool) -> MinutesDoc {
        let long = "申请人陈述：二〇二六年三月起，所在小区加装电梯一事经多次协商未果，\
            住建局答复称需全体住户同意（see the reply of 2026-04-01, ref. HN-2026-0401）。"
            .repeat(12);
        MinutesDoc {
            title: "听证评议会议纪要".into(),
            header_left: "关于某小区加装电梯的信访事项 第一次听证评议会".into(),
            header_right: "海宁信访〔2026〕123号".into(),
            draft,
            verify_url: Some("https://pingyi.example.cn/verify/0f3a9c2e7b1d4c58a6e2".into()),
            generated_at_ms: 1_796_691_600_000,
            blocks: vec![
                Block::Heading("一、基本情况".into()),
                Block::Facts(vec![
                    ("案号".into(), "海宁信访〔2026〕123号".into()),
                    ("案件名称：".into(), "关于某小区加装电梯的信访事项".into()),
                    ("听证时间".into(), "2026年12月3日 09:30—11:00".into()),
                    (
                        "地点".into(),
                        "海宁市信访局三楼会议室（海宁市文苑南路 1 号）".repeat(3),
                    ),
                ]),
                Block::Heading("二、听证记录".into()),
                Block::Para(long.clone()),
                Block::Para("[12] 09:41 主持人：请被申请人陈述。".into()),
                Block::Para(
                    (1..=record)
                        .map(|i| {
                            format!(
                                "[{i}] 09:{:02} 住建局（责任单位）：关于加装电梯的补充说明，\
                                 现场勘查表明 the shaft fits the stairwell。",
                                i % 60
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Block::Small(format!("SHA-256：{}", "ab".repeat(32))),
                Block::Heading("三、证据清单及质证意见".into()),
                Block::Table {
                    columns: vec![
                        Column::new("编号", 10),
                        Column::new("证据名称", 35),
                        Column::new("提交人", 15),
                        Column::new("质证意见", 40),
                    ],
                    rows: (1..=rows)
                        .map(|i| {
                            vec![
                                format!("申-{i}"),
                                cell_text(i),
                                "张三（信访人）".into(),
                                "真实性：无异议；合法性：有异议；关联性：无异议。".into(),
                            ]
                        })
                        .collect(),
                },
                Block::Heading("四、评议意见".into()),
                Block::Para(long),
                Block::Heading("五、签名".into()),
                Block::Signatures(
                    (0..signatories)
                        .map(|i| Signatory {
                            capacity: if i == 0 { "主持人" } else { "评议员" }.into(),
                            name: format!("王{i}"),
                            confirmation: if i.is_multiple_of(3) {
                                "未确认".into()
                            } else {
                                "已于 2026年12月3日 11:02 在线确认".into()
                            },
                        })
                        .collect(),
                ),
            ],
        }
    }

    /// Bounding box of an item under the fake metrics: (x0, y0, x1, y1).
    fn bbox(item: &Item) -> (f32, f32, f32, f32) {
        match item {
            Item::Text {
                x,
                y,
                size,
                spacing,
                text,
                ..
            } => (
                *x,
                y - DESCENT * size,
                x + Fake.width(text, *size) + spacing * stretch_count(text) as f32,
                y + ASCENT * size,
            ),
            Item::Line { from, to, .. } => (
                from.0.min(to.0),
                from.1.min(to.1),
                from.0.max(to.0),
                from.1.max(to.1),
            ),
            Item::Rect { x, y, w, h, .. } => (*x, *y, x + w, y + h),
            Item::Dark(rects) => rects.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(a, b, c, d), [x, y, w, h]| (a.min(*x), b.min(*y), c.max(x + w), d.max(y + h)),
            ),
        }
    }

    fn inside(item: &Item, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> bool {
        let (a, b, c, d) = bbox(item);
        a >= x0 - EPS && b >= y0 - EPS && c <= x1 + EPS && d <= y1 + EPS
    }

    fn texts(page: &Page) -> impl Iterator<Item = (&str, f32)> {
        page.body.iter().filter_map(|i| match i {
            Item::Text { text, y, .. } => Some((text.as_str(), *y)),
            _ => None,
        })
    }

    /// Every item of `page` (number `n` from 0) lies inside the body box.
    fn assert_in_body(page: &Page, n: usize) {
        let body = (LEFT, BODY_BOTTOM, RIGHT, BODY_TOP);
        for item in &page.body {
            assert!(
                inside(item, body),
                "page {}: {item:?} leaves the body",
                n + 1
            );
        }
    }

    #[test]
    fn long_table_stays_in_the_body_and_repeats_its_header() {
        let doc = sample(150, 10, 15, true);
        let pages = lay_out(&doc, &Fake);
        assert!(pages.len() > 5, "150 rows take pages: {}", pages.len());
        for (n, page) in pages.iter().enumerate() {
            assert_in_body(page, n);
            for item in &page.furniture {
                let (_, y0, _, y1) = bbox(item);
                assert!(y0 >= BODY_TOP || y1 <= BODY_BOTTOM, "{item:?} in the body");
                assert!(
                    inside(item, (LEFT, 0.0, RIGHT, PAGE_H)),
                    "{item:?} off the page"
                );
            }
            let footer = format!("第 {} 页 / 共 {} 页", n + 1, pages.len());
            assert!(
                page.furniture
                    .iter()
                    .any(|i| matches!(i, Item::Text { text, .. } if *text == footer))
            );
            assert!(
                page.furniture
                    .iter()
                    .any(|i| matches!(i, Item::Text { text, .. } if text == DRAFT))
            );
        }
        // Every page holding a row of the table starts its part with the header row.
        let mut spanned = 0;
        for page in &pages {
            let rows: Vec<f32> = texts(page)
                .filter(|(t, _)| t.starts_with("申-"))
                .map(|(_, y)| y)
                .collect();
            if rows.is_empty() {
                continue;
            }
            spanned += 1;
            let header = texts(page).find(|(t, _)| *t == "证据名称").map(|(_, y)| y);
            let header = header.expect("header row on every page of the table");
            assert!(rows.iter().all(|y| *y < header), "header above the rows");
            assert!(
                page.body
                    .iter()
                    .any(|i| matches!(i, Item::Rect { fill: Some(_), .. })),
                "header fill"
            );
        }
        assert!(spanned >= 4, "the table spans pages: {spanned}");
        // All 150 rows are there, each once.
        let labels = pages
            .iter()
            .flat_map(texts)
            .filter(|(t, _)| t.starts_with("申-") && !t.contains(' '))
            .count();
        assert_eq!(labels, 150);
        // The signature block (15 entries fit a page) is on one page.
        let with_sign: Vec<usize> = pages
            .iter()
            .enumerate()
            .filter(|(_, p)| texts(p).any(|(t, _)| t == SignatureLayout::LABEL))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(with_sign.len(), 1, "signatures on one page: {with_sign:?}");
        let last = pages.last().unwrap();
        assert!(
            last.body
                .iter()
                .any(|i| matches!(i, Item::Dark(r) if !r.is_empty()))
        );
    }

    #[test]
    fn oversized_content_is_split_or_cut_within_the_body() {
        let huge = "很长的质证意见。".repeat(2000);
        let doc = MinutesDoc {
            title: "纪要".into(),
            header_left: String::new(),
            header_right: String::new(),
            draft: false,
            verify_url: Some("https://pingyi.example.cn/verify/".repeat(200)),
            generated_at_ms: 1_796_691_600_000,
            blocks: vec![
                Block::Para("前文".into()),
                Block::Table {
                    columns: vec![
                        Column::new("编号", 1),
                        Column::new(&"意见（含理由）".repeat(100), 3),
                    ],
                    rows: vec![
                        vec!["1".into(), "短".into()],
                        vec!["2".into(), huge],
                        vec!["3".into(), "短".into()],
                    ],
                },
                // A table without columns has no header row.
                Block::Table {
                    columns: vec![],
                    rows: vec![vec!["x".into(), "y".into(), "z".into()]; 300],
                },
                Block::Signatures(vec![
                    Signatory {
                        capacity: "评议员".into(),
                        name: "某".repeat(80),
                        confirmation: "未确认".into(),
                    };
                    40
                ]),
            ],
        };
        let pages = lay_out(&doc, &Fake);
        assert!(pages.len() > 3);
        for (n, page) in pages.iter().enumerate() {
            assert_in_body(page, n);
        }
        // Row 3 follows the split row.
        let all: Vec<&str> = pages.iter().flat_map(texts).map(|(t, _)| t).collect();
        let two = all.iter().position(|t| *t == "2").unwrap();
        let three = all.iter().position(|t| *t == "3").unwrap();
        assert!(two < three);
        // The long header cells, names and the URL (too long for a QR code) are cut.
        assert!(all.iter().filter(|t| t.ends_with('…')).count() > 40);
        assert!(
            !pages
                .iter()
                .any(|p| p.body.iter().any(|i| matches!(i, Item::Dark(_))))
        );
    }

    #[test]
    fn heading_is_not_orphaned() {
        // Fill page 1 so that a heading would land on its last line.
        let lh = BODY * LEADING;
        let lines = ((BODY_H - TITLE * LEADING - BODY) / lh) as usize - 1;
        let doc = MinutesDoc {
            title: "纪要".into(),
            header_left: String::new(),
            header_right: String::new(),
            draft: false,
            verify_url: None,
            generated_at_ms: 1_796_691_600_000,
            blocks: vec![
                Block::Para(vec!["行"; lines].join("\n")),
                Block::Heading("二、标题".into()),
                Block::Para("正文第一行\n正文第二行".into()),
            ],
        };
        let pages = lay_out(&doc, &Fake);
        let page_of = |s: &str| pages.iter().position(|p| texts(p).any(|(t, _)| t == s));
        assert_eq!(page_of("二、标题"), page_of("正文第一行"));
        assert_eq!(page_of("正文第一行"), page_of("正文第二行"));
    }

    fn font() -> Option<Vec<u8>> {
        match std::env::var("PINGYI_FONT") {
            Ok(path) => Some(std::fs::read(path).unwrap()),
            Err(_) => {
                println!("PINGYI_FONT unset; skipping the PDF render test");
                None
            }
        }
    }

    #[test]
    fn renders_long_table_with_real_font() {
        let Some(font) = font() else { return };
        let doc = sample(150, 10, 15, true);
        let started = std::time::Instant::now();
        let pdf = render_minutes(&doc, &font).unwrap();
        println!("{} bytes in {:?}", pdf.len(), started.elapsed());
        assert!(pdf.starts_with(b"%PDF"));
        // Subset: far smaller than the 8 MB font.
        assert!(pdf.len() < 2_000_000, "{} bytes", pdf.len());
        // Its CreationDate is when the copy was made (2026-12-08 01:00 UTC).
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("D:20261208010000"), "the document's dates");
        assert!(!text.contains("D:19700101"), "not printpdf's default");
        if let Ok(path) = std::env::var("PINGYI_MINUTES_SAMPLE") {
            std::fs::write(path, &pdf).unwrap();
        }
    }
}
