//! iCalendar (RFC 5545) feeds of hearings, so staff and panel members can
//! subscribe from Outlook, Apple Calendar, DingTalk or WeCom and see changes
//! without anyone sending a new invitation.
//!
//! Times are written in the office's zone with a VTIMEZONE of their own rather
//! than in UTC: a hearing at 09:00 Beijing time then shows as 09:00 even in a
//! client whose own zone setting is wrong, and the feed says which zone it
//! means. Offices' zones have no daylight saving, so one STANDARD rule is exact.

use time::OffsetDateTime;

/// The `Content-Type` of a feed.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// How often subscribers should fetch the feed again. Without it some clients
/// wait a day or more, and a rescheduled hearing would show at its old time.
const REFRESH: &str = "PT1H";

/// The longest physical line, in octets without the CRLF (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The office's time zone: its IANA name and its fixed offset east of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsZone {
    /// e.g. "Asia/Shanghai"; clients that know the name may use their own rules.
    pub name: String,
    pub offset_seconds: i32,
}

impl IcsZone {
    /// Beijing time (UTC+8), the zone of every office in mainland China.
    pub fn china() -> Self {
        Self {
            name: "Asia/Shanghai".into(),
            offset_seconds: 8 * 3600,
        }
    }

    /// The short name clients show: CST for China Standard Time, else the offset.
    fn abbreviation(&self) -> String {
        match self.offset_seconds {
            28_800 => "CST".into(),
            0 => "UTC".into(),
            offset => format!("UTC{}", offset_text(offset, ":")),
        }
    }
}

/// Whether the hearing takes place, as calendar clients understand it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IcsStatus {
    Confirmed,
    Tentative,
    Cancelled,
}

impl IcsStatus {
    fn code(self) -> &'static str {
        match self {
            IcsStatus::Confirmed => "CONFIRMED",
            IcsStatus::Tentative => "TENTATIVE",
            IcsStatus::Cancelled => "CANCELLED",
        }
    }
}

/// One hearing on the calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsEvent {
    /// The hearing's id; the UID is `<id>@pingyi`, stable across changes so
    /// clients update the entry instead of adding a second one.
    pub uid: String,
    /// Bumped on every change: clients keep the copy with the highest sequence.
    pub sequence: u32,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    /// A link back to the hearing's page.
    pub url: Option<String>,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub status: IcsStatus,
    /// When the hearing last changed; DTSTAMP and LAST-MODIFIED, so the feed
    /// is the same bytes until something changes (cacheable, ETag-friendly).
    pub updated_at_ms: i64,
}

/// The whole feed: a VCALENDAR named `name` with the zone and every event,
/// CRLF line endings and lines folded at 75 octets.
///
/// An event whose times cannot be written (a year outside 0–9999) is left out
/// rather than written wrong; real hearings never are.
pub fn calendar(name: &str, zone: &IcsZone, events: &[IcsEvent]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Pingyi//评议//ZH".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape_text(name)),
        format!("X-WR-TIMEZONE:{}", escape_text(&zone.name)),
        format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}"),
        format!("X-PUBLISHED-TTL:{REFRESH}"),
    ];
    lines.extend(timezone(zone));
    for event in events {
        lines.extend(vevent(event, zone).unwrap_or_default());
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// A VTIMEZONE with one STANDARD rule in force since 1970: exact for a zone
/// without daylight saving.
fn timezone(zone: &IcsZone) -> Vec<String> {
    let offset = offset_text(zone.offset_seconds, "");
    vec![
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{}", escape_text(&zone.name)),
        "BEGIN:STANDARD".to_owned(),
        "DTSTART:19700101T000000".to_owned(),
        format!("TZOFFSETFROM:{offset}"),
        format!("TZOFFSETTO:{offset}"),
        format!("TZNAME:{}", escape_text(&zone.abbreviation())),
        "END:STANDARD".to_owned(),
        "END:VTIMEZONE".to_owned(),
    ]
}

/// The content lines of one event, or `None` when a time cannot be written.
fn vevent(event: &IcsEvent, zone: &IcsZone) -> Option<Vec<String>> {
    let tzid = param_value(&zone.name);
    let stamp = format!("{}Z", basic_date_time(event.updated_at_ms)?);
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape_text(&format!("{}@pingyi", event.uid))),
        format!("DTSTAMP:{stamp}"),
        format!("LAST-MODIFIED:{stamp}"),
        format!(
            "DTSTART;TZID={tzid}:{}",
            local_date_time(event.starts_at_ms, zone)?
        ),
    ];
    // DTEND must be after DTSTART; without it the event is a moment, which is
    // better than a feed the client rejects.
    if event.ends_at_ms > event.starts_at_ms {
        let end = local_date_time(event.ends_at_ms, zone)?;
        lines.push(format!("DTEND;TZID={tzid}:{end}"));
    }
    lines.push(format!("SEQUENCE:{}", event.sequence));
    lines.push(format!("STATUS:{}", event.status.code()));
    lines.push(format!("SUMMARY:{}", escape_text(&event.summary)));
    if !event.description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", escape_text(&event.description)));
    }
    if let Some(location) = event.location.as_deref().filter(|l| !l.is_empty()) {
        lines.push(format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(url) = event.url.as_deref().filter(|u| !u.is_empty()) {
        // A URI is not TEXT: no backslash escapes, only no control characters.
        lines.push(format!("URL:{}", without_controls(url)));
    }
    lines.push("END:VEVENT".to_owned());
    Some(lines)
}

/// Wall-clock time in the zone, `YYYYMMDDTHHMMSS`.
fn local_date_time(ms: i64, zone: &IcsZone) -> Option<String> {
    let local_ms = ms.checked_add(i64::from(zone.offset_seconds) * 1000)?;
    basic_date_time(local_ms)
}

/// `YYYYMMDDTHHMMSS` of an instant read as UTC; `None` outside years 0–9999,
/// which iCalendar cannot write.
fn basic_date_time(ms: i64) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?;
    if !(0..=9999).contains(&t.year()) {
        return None;
    }
    Some(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// `+0800`, `+0545`, `-0330` (with `:` as separator: `+08:00`); seconds only
/// when there are some.
fn offset_text(seconds: i32, separator: &str) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (hours, minutes, secs) = (abs / 3600, abs / 60 % 60, abs % 60);
    if secs == 0 {
        format!("{sign}{hours:02}{separator}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{separator}{minutes:02}{separator}{secs:02}")
    }
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped,
/// every kind of line break written `\n`, other control characters dropped
/// (they are not allowed in TEXT and some clients reject the whole feed).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (the TZID): no quotes or control characters, and quoted
/// when it holds a character that would end the parameter.
fn param_value(value: &str) -> String {
    let clean: String = without_controls(value).replace('"', "");
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

fn without_controls(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Appends one content line, folded (RFC 5545 §3.1): no physical line longer
/// than 75 octets, continuation lines start with a space, and a fold never
/// falls inside a UTF-8 character (a Chinese character is 3 octets).
fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    // The first physical line has 75 octets; the others 74 after their space.
    let mut room = MAX_LINE_OCTETS;
    while rest.len() > room {
        let mut cut = room;
        // A UTF-8 character is at most 4 octets and `room` ≥ 74, so `cut` stays > 0.
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = MAX_LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{Component, Property, read_calendar, unfold};

    /// 2026-12-01T01:00:00Z, 09:00 in Beijing.
    const DEC_1_0100Z: i64 = 1_796_086_800_000;
    const HOUR: i64 = 3_600_000;

    fn hearing(uid: &str) -> IcsEvent {
        IcsEvent {
            uid: uid.into(),
            sequence: 2,
            summary: "听证会：张建国诉某村征地补偿, 第二次; 公开".into(),
            description: "事项编号：海宁信访〔2026〕123号\n评议团 5 人".into(),
            location: Some("海宁市信访局 3 楼听证室".into()),
            url: Some("https://pingyi.example/hearings/h-1?a=1,2".into()),
            starts_at_ms: DEC_1_0100Z,
            ends_at_ms: DEC_1_0100Z + 2 * HOUR,
            status: IcsStatus::Confirmed,
            updated_at_ms: DEC_1_0100Z - 24 * HOUR,
        }
    }

    /// The components of a parsed feed, read by a real parser; the closure gets
    /// the VCALENDAR's properties and its components.
    fn parsed<T>(ics: &str, read: impl FnOnce(&[Property<'_>], &[Component<'_>]) -> T) -> T {
        let unfolded = unfold(ics);
        let calendar = read_calendar(&unfolded).expect("a valid iCalendar");
        read(&calendar.properties, &calendar.components)
    }

    fn value(component: &Component<'_>, name: &str) -> String {
        component
            .find_prop(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .val
            .as_str()
            .to_owned()
    }

    fn param(component: &Component<'_>, name: &str, key: &str) -> Option<String> {
        let prop = component.find_prop(name)?;
        let param = prop.params.iter().find(|p| p.key == key)?;
        param.val.as_ref().map(|v| v.as_str().to_owned())
    }

    fn events<'a>(components: &'a [Component<'a>]) -> Vec<&'a Component<'a>> {
        components.iter().filter(|c| c.name == "VEVENT").collect()
    }

    #[test]
    fn a_feed_parses_with_its_calendar_properties() {
        let ics = calendar(
            "海宁市信访局听证",
            &IcsZone::china(),
            &[hearing("h-1"), hearing("h-2")],
        );
        parsed(&ics, |props, components| {
            let find = |name: &str| {
                props
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.val.as_str().to_owned())
            };
            assert_eq!(find("VERSION").as_deref(), Some("2.0"));
            assert_eq!(find("PRODID").as_deref(), Some("-//Pingyi//评议//ZH"));
            assert_eq!(find("CALSCALE").as_deref(), Some("GREGORIAN"));
            assert_eq!(find("METHOD").as_deref(), Some("PUBLISH"));
            assert_eq!(find("X-WR-CALNAME").as_deref(), Some("海宁市信访局听证"));
            assert_eq!(find("X-WR-TIMEZONE").as_deref(), Some("Asia/Shanghai"));
            assert_eq!(events(components).len(), 2);
            let uids: Vec<String> = events(components).iter().map(|e| value(e, "UID")).collect();
            assert_eq!(uids, vec!["h-1@pingyi", "h-2@pingyi"]);
        });
    }

    #[test]
    fn the_zone_is_one_standard_rule() {
        let ics = calendar("听证", &IcsZone::china(), &[]);
        parsed(&ics, |_, components| {
            let zone = components
                .iter()
                .find(|c| c.name == "VTIMEZONE")
                .expect("VTIMEZONE");
            assert_eq!(value(zone, "TZID"), "Asia/Shanghai");
            assert_eq!(zone.components.len(), 1);
            let standard = &zone.components[0];
            assert_eq!(standard.name, "STANDARD");
            assert_eq!(value(standard, "DTSTART"), "19700101T000000");
            assert_eq!(value(standard, "TZOFFSETFROM"), "+0800");
            assert_eq!(value(standard, "TZOFFSETTO"), "+0800");
            assert_eq!(value(standard, "TZNAME"), "CST");
        });
    }

    #[test]
    fn an_event_round_trips() {
        let ics = calendar("听证", &IcsZone::china(), &[hearing("h-1")]);
        parsed(&ics, |_, components| {
            let event = events(components)[0];
            assert_eq!(value(event, "UID"), "h-1@pingyi");
            assert_eq!(
                value(event, "SUMMARY"),
                "听证会：张建国诉某村征地补偿, 第二次; 公开"
            );
            assert_eq!(
                value(event, "DESCRIPTION"),
                "事项编号：海宁信访〔2026〕123号\n评议团 5 人"
            );
            assert_eq!(value(event, "LOCATION"), "海宁市信访局 3 楼听证室");
            assert_eq!(
                value(event, "URL"),
                "https://pingyi.example/hearings/h-1?a=1,2"
            );
            assert_eq!(value(event, "SEQUENCE"), "2");
            assert_eq!(value(event, "STATUS"), "CONFIRMED");
            assert_eq!(value(event, "DTSTAMP"), "20261130T010000Z");
            assert_eq!(value(event, "LAST-MODIFIED"), "20261130T010000Z");
        });
    }

    #[test]
    fn start_and_end_are_local_times_in_the_zone() {
        let ics = calendar("听证", &IcsZone::china(), &[hearing("h-1")]);
        assert!(ics.contains("\r\nDTSTART;TZID=Asia/Shanghai:20261201T090000\r\n"));
        parsed(&ics, |_, components| {
            let event = events(components)[0];
            assert_eq!(
                param(event, "DTSTART", "TZID").as_deref(),
                Some("Asia/Shanghai")
            );
            assert_eq!(value(event, "DTSTART"), "20261201T090000");
            assert_eq!(
                param(event, "DTEND", "TZID").as_deref(),
                Some("Asia/Shanghai")
            );
            assert_eq!(value(event, "DTEND"), "20261201T110000");
        });
    }

    #[test]
    fn a_zone_with_a_quarter_hour_offset() {
        let kathmandu = IcsZone {
            name: "Asia/Kathmandu".into(),
            offset_seconds: 5 * 3600 + 45 * 60,
        };
        let ics = calendar("Hearings", &kathmandu, &[hearing("h-1")]);
        parsed(&ics, |_, components| {
            let event = events(components)[0];
            assert_eq!(
                param(event, "DTSTART", "TZID").as_deref(),
                Some("Asia/Kathmandu")
            );
            assert_eq!(value(event, "DTSTART"), "20261201T064500");
            let standard = &components[0].components[0];
            assert_eq!(value(standard, "TZOFFSETTO"), "+0545");
            assert_eq!(value(standard, "TZNAME"), "UTC+05:45");
        });
    }

    #[test]
    fn a_zone_west_of_utc_moves_to_the_day_before() {
        let zone = IcsZone {
            name: "America/Regina".into(),
            offset_seconds: -6 * 3600,
        };
        let ics = calendar("Hearings", &zone, &[hearing("h-1")]);
        assert!(ics.contains("DTSTART;TZID=America/Regina:20261130T190000\r\n"));
        assert!(ics.contains("TZOFFSETFROM:-0600\r\n"));
        assert!(ics.contains("TZNAME:UTC-06:00\r\n"));
    }

    #[test]
    fn a_cancelled_hearing_says_so() {
        let mut cancelled = hearing("h-1");
        cancelled.status = IcsStatus::Cancelled;
        cancelled.sequence = 5;
        let mut tentative = hearing("h-2");
        tentative.status = IcsStatus::Tentative;
        let ics = calendar("听证", &IcsZone::china(), &[cancelled, tentative]);
        parsed(&ics, |_, components| {
            let events = events(components);
            assert_eq!(value(events[0], "STATUS"), "CANCELLED");
            assert_eq!(value(events[0], "SEQUENCE"), "5");
            assert_eq!(value(events[1], "STATUS"), "TENTATIVE");
        });
    }

    #[test]
    fn lines_end_in_crlf_and_fold_at_75_octets_between_characters() {
        let mut long = hearing("h-1");
        long.summary = "关于某村土地征收补偿标准争议的公开听证会".repeat(6);
        long.description = format!("{}\n{}", "a".repeat(200), "评议".repeat(80));
        let ics = calendar(&"听证日程".repeat(30), &IcsZone::china(), &[long.clone()]);
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        let body = ics.strip_suffix("\r\n").expect("ends with CRLF");
        let mut folded = 0;
        for line in body.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
            assert!(!line.contains(['\r', '\n']), "bare line break in {line:?}");
            folded += usize::from(line.starts_with(' '));
        }
        assert!(folded > 10, "long values were folded ({folded})");
        // Every physical line is whole UTF-8: the `&str` split above would not
        // even exist otherwise, but check the bytes the way a client reads them.
        for line in ics.as_bytes().split(|b| *b == b'\n') {
            assert!(std::str::from_utf8(line).is_ok());
        }
        parsed(&ics, |props, components| {
            let event = events(components)[0];
            assert_eq!(value(event, "SUMMARY"), long.summary);
            assert_eq!(value(event, "DESCRIPTION"), long.description);
            let name = props
                .iter()
                .find(|p| p.name == "X-WR-CALNAME")
                .expect("name");
            assert_eq!(name.val.as_str(), "听证日程".repeat(30));
        });
    }

    #[test]
    fn folding_counts_octets_not_characters() {
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));

        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(76));
        assert_eq!(out, format!("{}\r\n a\r\n", "a".repeat(75)));

        // "S:" + 25 characters of 3 octets = 77 octets: 24 characters fit after
        // the prefix (74 octets), the 25th would split.
        let mut out = String::new();
        fold_into(&mut out, &format!("S:{}", "评".repeat(25)));
        let lines: Vec<&str> = out.split_terminator("\r\n").collect();
        assert_eq!(
            lines,
            vec![format!("S:{}", "评".repeat(24)), " 评".to_owned()]
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h\ti"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti"
        );
        assert_eq!(escape_text("第一，第二；第三"), "第一，第二；第三");
        assert_eq!(param_value("Asia/Shanghai"), "Asia/Shanghai");
        assert_eq!(param_value("Odd:\"zone\""), "\"Odd:zone\"");
    }

    #[test]
    fn optional_fields_and_odd_times() {
        let mut bare = hearing("h-1");
        bare.location = None;
        bare.url = Some(String::new());
        bare.description = String::new();
        bare.ends_at_ms = bare.starts_at_ms;
        let mut impossible = hearing("h-2");
        impossible.starts_at_ms = i64::MAX;
        let ics = calendar("听证", &IcsZone::china(), &[bare, impossible]);
        for absent in ["LOCATION", "URL", "DESCRIPTION", "DTEND"] {
            assert!(!ics.contains(&format!("\r\n{absent}")), "{absent} in {ics}");
        }
        parsed(&ics, |_, components| {
            let events = events(components);
            assert_eq!(
                events.len(),
                1,
                "an event that cannot be written is left out"
            );
            assert_eq!(value(events[0], "UID"), "h-1@pingyi");
        });
    }

    #[test]
    fn the_feed_is_the_same_until_something_changes() {
        let events = [hearing("h-1")];
        assert_eq!(
            calendar("听证", &IcsZone::china(), &events),
            calendar("听证", &IcsZone::china(), &events)
        );
    }

    /// Every length of a mix of 1-, 3- and 4-octet characters, separators,
    /// backslashes and line breaks, so a fold lands at every offset of each:
    /// the value comes back from the parser unchanged.
    #[test]
    fn any_summary_round_trips() {
        let pattern: Vec<char> = "评a\\;议,\n😀b，听：证〔〕\r\n会 ".chars().collect();
        for length in 0..=160 {
            let summary: String = pattern.iter().cycle().take(length).collect();
            let mut event = hearing("h-1");
            event.summary = summary.clone();
            let ics = calendar("听证", &IcsZone::china(), &[event]);
            for line in ics.split_terminator("\r\n") {
                assert!(line.len() <= 75, "length {length}: {line}");
            }
            let back = parsed(&ics, |_, components| {
                value(events(components)[0], "SUMMARY")
            });
            // Any line break comes back as `\n`, the only one TEXT has.
            let expected = summary.replace("\r\n", "\n").replace('\r', "\n");
            assert_eq!(back, expected, "length {length}");
        }
    }
}
