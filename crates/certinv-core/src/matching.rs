//! Matching certificates to what a user typed: an ARN, a domain, or a glob.

use crate::model::Certificate;

/// Case-insensitive glob with `*` (any run) and `?` (one character).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Iterative matcher with one backtrack point: linear in practice.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether a certificate name (possibly `*.example.com`) covers `host`.
fn covers(name: &str, host: &str) -> bool {
    let (name, host) = (name.to_lowercase(), host.to_lowercase());
    if name == host {
        return true;
    }
    match name.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => false,
    }
}

/// `locate`'s query: an ARN matches exactly; anything else matches the
/// domain or a SAN, as a glob or as a host name a wildcard certificate covers.
pub fn locate_matches(query: &str, cert: &Certificate) -> bool {
    if query.starts_with("arn:") {
        return cert.arn == query;
    }
    cert.domain_name
        .iter()
        .chain(cert.subject_alternative_names.iter())
        .any(|name| glob_match(query, name) || covers(name, query))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    #[test]
    fn globs() {
        assert!(glob_match("*.example.com", "api.example.com"));
        assert!(glob_match("API.example.*", "api.example.com"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("*.example.com", "example.org"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a*b*c", "acb"));
    }

    #[test]
    fn locate_by_arn_domain_san_or_wildcard_coverage() {
        let mut c = cert("arn:aws:acm:r:111111111111:certificate/x");
        c.domain_name = Some("*.example.com".into());
        c.subject_alternative_names = vec!["*.example.com".into(), "example.com".into()];
        assert!(locate_matches(
            "arn:aws:acm:r:111111111111:certificate/x",
            &c
        ));
        assert!(!locate_matches(
            "arn:aws:acm:r:111111111111:certificate/y",
            &c
        ));
        assert!(locate_matches("example.com", &c));
        assert!(
            locate_matches("api.example.com", &c),
            "covered by the wildcard"
        );
        assert!(
            !locate_matches("a.b.example.com", &c),
            "a wildcard covers one label"
        );
        assert!(!locate_matches("example.org", &c));
    }
}
