//! The addresses the platform hands out follow one rule (#22): the configured
//! public URL, else the address the browser used, else the listening address —
//! for invitation links and for the verification address on signed minutes
//! alike; and no signed minutes print an address only the server itself reaches.

#![allow(clippy::unwrap_used)]

use crate::common::TestServer;

/// The server as if it listened on every interface (reachable from other machines)
/// with no `PINGYI_PUBLIC_URL`.
async fn reachable_without_public_url() -> TestServer {
    TestServer::start_tweaked(|args| {
        args.addr = std::net::SocketAddr::new([0, 0, 0, 0].into(), args.addr.port());
        args.public_url = None;
    })
    .await
}

async fn finalise(
    host: &crate::common::Client,
    hearing: &str,
    host_header: &str,
) -> reqwest::Response {
    host.http
        .post(format!("{}/rpc/finalise_minutes", host.base))
        .header("host", host_header)
        .form(&[("hearing_id", hearing)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signed_minutes_never_print_an_address_only_the_server_reaches() {
    let server = reachable_without_public_url().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();

    // Reached at the machine's own address: the QR code would point nowhere.
    let refused = finalise(&host, &hearing, &format!("127.0.0.1:{port}")).await;
    assert_eq!(refused.status(), 409);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "public_url_needed");
    let message = app::error::ApiError::PublicUrlNeeded.message(app::i18n::Lang::Zh);
    assert!(message.contains("PINGYI_PUBLIC_URL"), "{message}");

    // Reached at the office's address: links and the minutes use that one.
    let office = format!("192.0.2.10:{port}");
    let link: serde_json::Value = host
        .http
        .post(format!("{}/rpc/invite_party", host.base))
        .header("host", &office)
        .form(&[
            ("hearing_id", hearing.as_str()),
            ("party_kind", "petitioner"),
            ("party_name", "周美华"),
            ("valid_days", "7"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("http://{office}/invite/")),
        "{link}"
    );
    let finalised = finalise(&host, &hearing, &office).await;
    assert_eq!(
        finalised.status(),
        200,
        "{}",
        finalised.text().await.unwrap()
    );
    let pdf = host
        .get(&format!("/hearings/{hearing}/minutes.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    if let Some(text) = crate::common::pdf_text(&pdf) {
        assert!(
            text.contains(&format!("http://{office}/verify")),
            "the printed verification address: {text}"
        );
        assert!(!text.contains("127.0.0.1"));
    }
    server.finish().await;
}
