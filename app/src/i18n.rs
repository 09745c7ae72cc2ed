//! The UI's two languages: zh-CN first, English second.
//!
//! Every text is a field of [`Texts`], so a string missing in one language is a
//! compile error, not a blank on screen.

use serde::{Deserialize, Serialize};

/// The cookie that remembers the reader's language across pages and reloads.
pub const LANG_COOKIE: &str = "pingyi_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Reads the language from a `Cookie:` header value; Chinese when absent.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::from_code(value))
            .unwrap_or_default()
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

pub struct Texts {
    pub app_name: &'static str,
    pub app_subtitle: &'static str,
    pub switch_to_other: &'static str,
    pub nav_hearings: &'static str,
    pub hearings_heading: &'static str,
    pub no_hearings: &'static str,
    pub case_number: &'static str,
    pub case_title: &'static str,
    pub scheduled: &'static str,
    pub place: &'static str,
    pub loading: &'static str,
    pub record_heading: &'static str,
    pub record_empty: &'static str,
    pub record_input_label: &'static str,
    pub record_submit: &'static str,
    pub record_saving: &'static str,
    pub live_connecting: &'static str,
    pub live_withdrawn: &'static str,
    pub observer_banner: &'static str,
    pub live_connected: &'static str,
    pub live_reconnecting: &'static str,
    pub download_minutes: &'static str,
    pub back_to_list: &'static str,
    pub not_found: &'static str,
    pub err_record_empty: &'static str,
    pub err_record_too_long: &'static str,
    pub err_hearing_not_found: &'static str,
    pub err_internal: &'static str,
    pub err_not_logged_in: &'static str,
    pub err_forbidden: &'static str,
    pub err_bad_credentials: &'static str,
    pub err_rate_limited: &'static str,
    pub login_heading: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_submit: &'static str,
    pub logging_in: &'static str,
    pub logout: &'static str,
    pub login_link: &'static str,
    pub login_required: &'static str,
    pub nav_accounts: &'static str,
    pub nav_audit: &'static str,
    pub err_weak_password: &'static str,
    pub err_invalid_username: &'static str,
    pub err_username_taken: &'static str,
    pub err_invalid_display_name: &'static str,
    pub err_account_not_found: &'static str,
    pub err_last_admin: &'static str,
    pub accounts_heading: &'static str,
    pub new_account: &'static str,
    pub display_name: &'static str,
    pub roles: &'static str,
    pub status: &'static str,
    pub enabled: &'static str,
    pub disabled: &'static str,
    pub create: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub save_roles: &'static str,
    pub reset_password: &'static str,
    pub new_password: &'static str,
    pub saved: &'static str,
    pub audit_heading: &'static str,
    pub audit_time: &'static str,
    pub audit_actor: &'static str,
    pub audit_action: &'static str,
    pub audit_subject: &'static str,
    pub audit_ip: &'static str,
    pub err_party_kind: &'static str,
    pub err_party_name: &'static str,
    pub err_validity: &'static str,
    pub err_invitation_not_found: &'static str,
    pub invite_heading: &'static str,
    pub party_kind: &'static str,
    pub party_name: &'static str,
    pub valid_days: &'static str,
    pub invite_submit: &'static str,
    pub invite_link_hint: &'static str,
    pub invite_used: &'static str,
    pub invite_unused: &'static str,
    pub invite_revoked: &'static str,
    pub revoke: &'static str,
    pub expires: &'static str,
    pub err_network: &'static str,
}

static ZH: Texts = Texts {
    app_name: "评议",
    app_subtitle: "信访听证评议平台",
    switch_to_other: "English",
    nav_hearings: "听证评议会",
    hearings_heading: "听证评议会一览",
    no_hearings: "暂无听证评议会。",
    case_number: "案号",
    case_title: "信访事项",
    scheduled: "听证时间",
    place: "地点",
    loading: "加载中…",
    record_heading: "笔录",
    record_empty: "尚无笔录。",
    record_input_label: "记录内容",
    record_submit: "记入笔录",
    record_saving: "正在保存…",
    live_connecting: "正在连接…",
    live_withdrawn: "您的访问权限已变更，实时同步已停止；请刷新页面或重新登录。",
    observer_banner: "公开听证 · 旁听页面（只读）",
    live_connected: "实时同步中",
    live_reconnecting: "连接中断，正在重连…",
    download_minutes: "下载笔录（PDF）",
    back_to_list: "返回一览",
    not_found: "页面不存在",
    err_record_empty: "记录内容不能为空。",
    err_record_too_long: "记录内容过长，请分段记录（每段不超过 {max} 字）。",
    err_hearing_not_found: "该听证评议会不存在或已被删除。",
    err_internal: "服务器内部错误，请稍后重试；如持续出现，请联系管理员。",
    err_not_logged_in: "请先登录。",
    err_forbidden: "您没有执行此操作的权限。",
    err_bad_credentials: "用户名或密码错误。",
    err_rate_limited: "登录尝试过于频繁，请 {secs} 秒后再试。",
    login_heading: "登录",
    username: "用户名",
    password: "密码",
    login_submit: "登录",
    logging_in: "正在登录…",
    logout: "退出登录",
    login_link: "登录",
    login_required: "请先登录后查看听证评议会。",
    nav_accounts: "账户管理",
    nav_audit: "审计日志",
    err_weak_password: "密码至少 {min} 位。",
    err_invalid_username: "用户名不能为空，且不能含空格。",
    err_username_taken: "该用户名已被使用。",
    err_invalid_display_name: "姓名不能为空。",
    err_account_not_found: "账户不存在。",
    err_last_admin: "不能停用或撤销最后一位管理员。",
    accounts_heading: "账户管理",
    new_account: "新建账户",
    display_name: "姓名",
    roles: "角色",
    status: "状态",
    enabled: "启用",
    disabled: "已停用",
    create: "创建",
    disable: "停用",
    enable: "启用",
    save_roles: "保存角色",
    reset_password: "重置密码",
    new_password: "新密码",
    saved: "已保存。",
    audit_heading: "审计日志",
    audit_time: "时间",
    audit_actor: "操作人",
    audit_action: "事项",
    audit_subject: "对象",
    audit_ip: "来源地址",
    err_party_kind: "请选择当事人类别。",
    err_party_name: "请填写当事人名称（不超过 100 字）。",
    err_validity: "有效期须为 {min} 至 {max} 天。",
    err_invitation_not_found: "该邀请链接不存在或已撤销。",
    invite_heading: "邀请当事人",
    party_kind: "当事人类别",
    party_name: "当事人名称",
    valid_days: "有效天数",
    invite_submit: "生成邀请链接",
    invite_link_hint: "请将以下链接或二维码发送给当事人；链接仅可使用一次，且仅此处显示一次。",
    invite_used: "已使用",
    invite_unused: "未使用",
    invite_revoked: "已撤销",
    revoke: "撤销",
    expires: "有效期至",
    err_network: "网络异常，内容未保存，请检查网络后重试。",
};

static EN: Texts = Texts {
    app_name: "Pingyi",
    app_subtitle: "Petition hearings and review panels",
    switch_to_other: "中文",
    nav_hearings: "Hearings",
    hearings_heading: "Hearings",
    no_hearings: "No hearings yet.",
    case_number: "Case no.",
    case_title: "Case",
    scheduled: "Scheduled",
    place: "Place",
    loading: "Loading…",
    record_heading: "Record",
    record_empty: "Nothing recorded yet.",
    record_input_label: "Record entry",
    record_submit: "Add to record",
    record_saving: "Saving…",
    live_connecting: "Connecting…",
    live_withdrawn: "Your access changed; live updates stopped. Reload or log in again.",
    observer_banner: "Public hearing · observer view (read-only)",
    live_connected: "Live",
    live_reconnecting: "Connection lost, reconnecting…",
    download_minutes: "Download record (PDF)",
    back_to_list: "Back to list",
    not_found: "Page not found",
    err_record_empty: "The record entry is empty.",
    err_record_too_long: "The entry is too long; split it (at most {max} characters each).",
    err_hearing_not_found: "This hearing does not exist or was removed.",
    err_internal: "Internal server error; please retry. If it persists, contact the administrator.",
    err_not_logged_in: "Please log in first.",
    err_forbidden: "You are not allowed to do this.",
    err_bad_credentials: "Wrong username or password.",
    err_rate_limited: "Too many login attempts; try again in {secs} seconds.",
    login_heading: "Log in",
    username: "Username",
    password: "Password",
    login_submit: "Log in",
    logging_in: "Logging in…",
    logout: "Log out",
    login_link: "Log in",
    login_required: "Please log in to see hearings.",
    nav_accounts: "Accounts",
    nav_audit: "Audit log",
    err_weak_password: "The password needs at least {min} characters.",
    err_invalid_username: "The username must not be empty or contain spaces.",
    err_username_taken: "This username is taken.",
    err_invalid_display_name: "The name must not be empty.",
    err_account_not_found: "No such account.",
    err_last_admin: "The last administrator cannot be disabled or demoted.",
    accounts_heading: "Accounts",
    new_account: "New account",
    display_name: "Name",
    roles: "Roles",
    status: "Status",
    enabled: "Enabled",
    disabled: "Disabled",
    create: "Create",
    disable: "Disable",
    enable: "Enable",
    save_roles: "Save roles",
    reset_password: "Reset password",
    new_password: "New password",
    saved: "Saved.",
    audit_heading: "Audit log",
    audit_time: "Time",
    audit_actor: "By",
    audit_action: "Action",
    audit_subject: "Subject",
    audit_ip: "From",
    err_party_kind: "Choose the kind of party.",
    err_party_name: "Enter the party's name (at most 100 characters).",
    err_validity: "Validity must be {min} to {max} days.",
    err_invitation_not_found: "No such invitation, or it was revoked.",
    invite_heading: "Invite parties",
    party_kind: "Party",
    party_name: "Name",
    valid_days: "Valid for (days)",
    invite_submit: "Create invitation link",
    invite_link_hint: "Send this link or QR code to the party. It works once and is shown only now.",
    invite_used: "Used",
    invite_unused: "Not used",
    invite_revoked: "Revoked",
    revoke: "Revoke",
    expires: "Expires",
    err_network: "Network problem: nothing was saved. Check the connection and retry.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_selects_language_and_defaults_to_chinese() {
        assert_eq!(
            Lang::from_cookie_header("a=1; pingyi_lang=en; b=2"),
            Lang::En
        );
        assert_eq!(Lang::from_cookie_header("pingyi_lang=zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header("pingyi_lang=fr"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header(""), Lang::Zh);
    }
}
