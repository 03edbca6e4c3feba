//! The built-in seed: the Contoso tenant with four users (the fourth, Katherine, has the
//! export-sized notebook instead of the built-in ones), a second tenant (Fabrikam) whose user
//! is handy as "another customer" in isolation tests, and the demo app registration.

use uuid::{Uuid, uuid};

use super::model::{ClientSeed, Seed, TenantSeed, UserSeed};

/// The demo app registration's client id.
pub const DEMO_CLIENT_ID: &str = "5ca1ab1e-6a70-4e0f-9c3b-7e57c11e4700";
/// The demo app's client secret. It only ever works against the emulator.
pub const DEMO_CLIENT_SECRET: &str = "gn8Q~emulator-demo-secret.not-for-production";
/// The password of every built-in user.
pub const DEMO_PASSWORD: &str = "graphnote-demo";

/// Another registered app, for tests of codes and tokens that belong to a different client.
pub const OTHER_CLIENT_ID: &str = "0be7c1a5-3c2d-4f4e-8a6b-9c8d7e6f5a4b";
pub const OTHER_CLIENT_SECRET: &str = "ot8Q~emulator-other-app-secret";

pub const CONTOSO_TENANT_ID: Uuid = uuid!("4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f");
pub const FABRIKAM_TENANT_ID: Uuid = uuid!("b2d4f6a8-1c3e-4a5b-9d7f-0e2c4a6b8d0f");

/// The seed used when no `--seed` file is given.
pub fn builtin() -> Seed {
    Seed {
        tenants: vec![contoso(), fabrikam()],
        clients: vec![demo_client(), other_client()],
    }
}

fn user(id: Uuid, upn: &str, display: &str, given: &str, surname: &str) -> UserSeed {
    UserSeed {
        id,
        user_principal_name: upn.into(),
        display_name: display.into(),
        password: DEMO_PASSWORD.into(),
        given_name: Some(given.into()),
        surname: Some(surname.into()),
        job_title: None,
        mail: Some(upn.into()),
        mobile_phone: None,
        office_location: None,
        preferred_language: Some("en-GB".into()),
        business_phones: vec![],
        photo: false,
        notebooks: vec![],
    }
}

fn contoso() -> TenantSeed {
    let ada = UserSeed {
        job_title: Some("Analyst".into()),
        office_location: Some("B1/204".into()),
        business_phones: vec!["+44 20 7946 0000".into()],
        photo: true,
        ..user(
            uuid!("0a4d3bbe-1c2d-4e5f-8a9b-0c1d2e3f4a5b"),
            "ada@contoso.example",
            "Ada Lovelace",
            "Ada",
            "Lovelace",
        )
    };
    let grace = UserSeed {
        job_title: Some("Rear Admiral".into()),
        mobile_phone: Some("+1 202 555 0142".into()),
        preferred_language: Some("en-US".into()),
        photo: true,
        ..user(
            uuid!("1b5e4ccf-2d3e-4f60-9bac-1d2e3f405b6c"),
            "grace@contoso.example",
            "Grace Hopper",
            "Grace",
            "Hopper",
        )
    };
    let alan = user(
        uuid!("2c6f5dd0-3e4f-4071-8cbd-2e3f40516c7d"),
        "alan@contoso.example",
        "Alan Turing",
        "Alan",
        "Turing",
    );
    let katherine = UserSeed {
        job_title: Some("Research mathematician".into()),
        notebooks: vec![super::export_notebook()],
        ..user(
            uuid!("4e81bf12-5061-4293-8edf-405162738e9f"),
            "katherine@contoso.example",
            "Katherine Johnson",
            "Katherine",
            "Johnson",
        )
    };
    TenantSeed {
        id: CONTOSO_TENANT_ID,
        display_name: "Contoso".into(),
        domains: vec!["contoso.onmicrosoft.com".into(), "contoso.example".into()],
        region: "EU".into(),
        users: vec![ada, grace, alan, katherine],
        groups: super::builtin_shared::contoso_groups(),
        sites: super::builtin_shared::contoso_sites(),
        admin_approval_required: vec![],
    }
}

fn fabrikam() -> TenantSeed {
    let mallory = user(
        uuid!("3d70ae01-4f50-4182-9dce-3f4051627d8e"),
        "mallory@fabrikam.example",
        "Mallory Moriarty",
        "Mallory",
        "Moriarty",
    );
    TenantSeed {
        id: FABRIKAM_TENANT_ID,
        display_name: "Fabrikam".into(),
        domains: vec!["fabrikam.onmicrosoft.com".into(), "fabrikam.example".into()],
        region: "NA".into(),
        users: vec![mallory],
        groups: vec![],
        sites: vec![],
        admin_approval_required: vec![],
    }
}

/// Loopback redirect URIs match on any port (as Entra does), so one registration serves the
/// demo on :5000, tests on random ports, and the Python sample.
fn demo_client() -> ClientSeed {
    let mut redirect_uris = Vec::new();
    for host in ["localhost", "127.0.0.1"] {
        for path in ["/getAToken", "/app/getAToken", "/", "/app/"] {
            redirect_uris.push(format!("http://{host}{path}"));
            redirect_uris.push(format!("https://{host}{path}"));
        }
    }
    ClientSeed {
        client_id: DEMO_CLIENT_ID.into(),
        display_name: "graphnote demo".into(),
        home_tenant: CONTOSO_TENANT_ID,
        secrets: vec![DEMO_CLIENT_SECRET.into()],
        certificates: vec![],
        redirect_uris,
        front_channel_logout_url: None,
        admin_consented_scopes: vec![],
        application_permissions: vec!["User.Read.All".into()],
    }
}

fn other_client() -> ClientSeed {
    ClientSeed {
        client_id: OTHER_CLIENT_ID.into(),
        display_name: "Another app".into(),
        home_tenant: FABRIKAM_TENANT_ID,
        secrets: vec![OTHER_CLIENT_SECRET.into()],
        certificates: vec![],
        redirect_uris: vec![
            "http://localhost/callback".into(),
            "http://127.0.0.1/callback".into(),
        ],
        front_channel_logout_url: None,
        admin_consented_scopes: vec![],
        application_permissions: vec![],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_seed_is_valid() {
        super::builtin().validate().unwrap();
    }
}
