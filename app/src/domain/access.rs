//! Who may do what (权限): the one table every server function, HTTP handler and
//! socket asks. Deny by default: an action not listed here is refused.

use serde::{Deserialize, Serialize};

/// A staff or panel role an account can hold (several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理员 manages accounts, rooms, the pool.
    Admin,
    /// 主持人 schedules and runs hearings.
    Host,
    /// 记录员 keeps the record.
    Clerk,
    /// 档案员 searches closed hearings and verifies minutes.
    Archivist,
    /// 评议员 a panel member from the pool.
    Juror,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Host,
        Role::Clerk,
        Role::Archivist,
        Role::Juror,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Host => "host",
            Role::Clerk => "clerk",
            Role::Archivist => "archivist",
            Role::Juror => "juror",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Host => "主持人",
            Role::Clerk => "记录员",
            Role::Archivist => "档案员",
            Role::Juror => "评议员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Host => "Host",
            Role::Clerk => "Clerk",
            Role::Archivist => "Archivist",
            Role::Juror => "Panel member",
        }
    }
}

/// Roles as stored: a comma-separated list of codes; unknown codes are dropped.
pub fn parse_roles(stored: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = stored.split(',').filter_map(Role::from_code).collect();
    roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
    roles.dedup();
    roles
}

pub fn format_roles(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

/// Everything that can be asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the list of hearings.
    ListHearings,
    /// Enter a hearing room and follow it live.
    ViewRoom,
    /// Add a line to the record (笔录).
    RecordNote,
    /// Download the record / minutes PDF.
    DownloadMinutes,
    /// Create, disable, re-role accounts, reset passwords.
    ManageAccounts,
    /// Read the audit log.
    ViewAudit,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::ListHearings,
        Action::ViewRoom,
        Action::RecordNote,
        Action::DownloadMinutes,
        Action::ManageAccounts,
        Action::ViewAudit,
    ];
}

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: String,
    pub roles: Vec<Role>,
}

/// Who holds which place in one hearing: what per-hearing grants look at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingStaff {
    pub host_id: Option<String>,
    pub clerk_id: Option<String>,
    /// Seated panel members (评议员 on this hearing's panel).
    pub jurors: Vec<String>,
}

/// One way of being allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    /// Holds the role, whatever the hearing.
    Role(Role),
    /// Is this hearing's host.
    HostOfHearing,
    /// Is this hearing's clerk.
    ClerkOfHearing,
    /// Is seated on this hearing's panel.
    SeatedJuror,
}

/// The table. Reading down a row says who may do it.
const RULES: &[(Action, &[Grant])] = &[
    (
        Action::ListHearings,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
            Grant::Role(Role::Archivist),
            Grant::Role(Role::Juror),
        ],
    ),
    (
        Action::ViewRoom,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Archivist),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
            Grant::SeatedJuror,
        ],
    ),
    (
        Action::RecordNote,
        &[Grant::HostOfHearing, Grant::ClerkOfHearing],
    ),
    (
        Action::DownloadMinutes,
        &[
            Grant::Role(Role::Archivist),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
            Grant::SeatedJuror,
        ],
    ),
    (Action::ManageAccounts, &[Grant::Role(Role::Admin)]),
    (Action::ViewAudit, &[Grant::Role(Role::Admin)]),
];

fn holds(actor: &Actor, grant: Grant, hearing: Option<&HearingStaff>) -> bool {
    let is = |id: &Option<String>| id.as_deref() == Some(actor.account_id.as_str());
    match (grant, hearing) {
        (Grant::Role(role), _) => actor.roles.contains(&role),
        (Grant::HostOfHearing, Some(h)) => actor.roles.contains(&Role::Host) && is(&h.host_id),
        (Grant::ClerkOfHearing, Some(h)) => {
            (actor.roles.contains(&Role::Clerk) || actor.roles.contains(&Role::Host))
                && is(&h.clerk_id)
        }
        (Grant::SeatedJuror, Some(h)) => {
            actor.roles.contains(&Role::Juror) && h.jurors.contains(&actor.account_id)
        }
        // A per-hearing grant without a hearing never applies.
        (_, None) => false,
    }
}

/// May `actor` (None: not logged in) do `action`, on `hearing` when it concerns one?
pub fn permits(actor: Option<&Actor>, action: Action, hearing: Option<&HearingStaff>) -> bool {
    let Some(actor) = actor else { return false };
    RULES
        .iter()
        .filter(|(a, _)| *a == action)
        .flat_map(|(_, grants)| grants.iter())
        .any(|grant| holds(actor, *grant, hearing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(id: &str, roles: &[Role]) -> Actor {
        Actor {
            account_id: id.into(),
            roles: roles.to_vec(),
        }
    }

    fn hearing() -> HearingStaff {
        HearingStaff {
            host_id: Some("h".into()),
            clerk_id: Some("c".into()),
            jurors: vec!["j".into()],
        }
    }

    #[test]
    fn nobody_anonymous_may_do_anything() {
        for action in Action::ALL {
            assert!(!permits(None, action, Some(&hearing())));
        }
    }

    #[test]
    fn per_hearing_grants_need_the_place_not_just_the_role() {
        let h = hearing();
        assert!(permits(
            Some(&actor("c", &[Role::Clerk])),
            Action::RecordNote,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("c2", &[Role::Clerk])),
            Action::RecordNote,
            Some(&h)
        ));
        assert!(permits(
            Some(&actor("h", &[Role::Host])),
            Action::RecordNote,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("h", &[Role::Host])),
            Action::RecordNote,
            None
        ));
        assert!(permits(
            Some(&actor("j", &[Role::Juror])),
            Action::ViewRoom,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("j2", &[Role::Juror])),
            Action::ViewRoom,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("j", &[Role::Juror])),
            Action::RecordNote,
            Some(&h)
        ));
        // A juror id in the host slot does not make a non-host a host.
        let odd = HearingStaff {
            host_id: Some("j".into()),
            ..hearing()
        };
        assert!(!permits(
            Some(&actor("j", &[Role::Juror])),
            Action::RecordNote,
            Some(&odd)
        ));
    }

    #[test]
    fn only_admins_manage_accounts() {
        for role in Role::ALL {
            assert_eq!(
                permits(Some(&actor("x", &[role])), Action::ManageAccounts, None),
                role == Role::Admin
            );
        }
    }

    #[test]
    fn roles_round_trip_through_storage() {
        assert_eq!(
            parse_roles("juror,admin,bogus,admin"),
            vec![Role::Admin, Role::Juror]
        );
        assert_eq!(format_roles(&parse_roles("clerk,host")), "host,clerk");
        assert_eq!(parse_roles(""), Vec::<Role>::new());
    }

    proptest! {
        /// Adding a role never takes a permission away (monotone), and an actor
        /// without roles is refused everything.
        #[test]
        fn more_roles_never_permit_less(mask in 0u8..32, extra in 0usize..5, id in "[hcj]") {
            let roles: Vec<Role> = Role::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
            let base = actor(&id, &roles);
            let mut more = base.clone();
            more.roles.push(Role::ALL[extra]);
            for action in Action::ALL {
                for h in [None, Some(hearing())] {
                    if permits(Some(&base), action, h.as_ref()) {
                        prop_assert!(permits(Some(&more), action, h.as_ref()));
                    }
                    prop_assert!(!permits(Some(&actor(&id, &[])), action, h.as_ref()));
                }
            }
        }
    }
}
