//! Which IP addresses the service may call when a URL comes from outside (a webhook receiver, a
//! feed to import): only ordinary public unicast ones. Everything in IANA's IPv4 and IPv6
//! Special-Purpose Address Registries is refused (private, shared, loopback, link-local,
//! documentation, benchmarking, protocol assignments, Teredo, 6to4, ORCHID, AS112, the
//! local-use translation prefix…), as is multicast and, for IPv6, anything outside global
//! unicast (2000::/3). An IPv4 address carried in IPv6 (mapped, or the well-known NAT64 prefix
//! 64:ff9b::/96) is judged as the IPv4 address it names.
//!
//! Registries as published by IANA (iana-ipv4-special-registry, iana-ipv6-special-registry),
//! checked 2026-12; entries that IANA marks globally reachable (AS112, AMT, PCP and TURN
//! anycast) are refused too: no webhook receiver or directory lives there.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

/// IPv4 blocks: network and prefix length.
const V4_SPECIAL: [(Ipv4Addr, u8); 25] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8),          // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8),         // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),      // shared address space (CGNAT)
    (Ipv4Addr::new(127, 0, 0, 0), 8),        // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),     // link-local
    (Ipv4Addr::new(172, 16, 0, 0), 12),      // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),       // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 0, 0), 29),       // IPv4 service continuity prefix (DS-Lite)
    (Ipv4Addr::new(192, 0, 0, 8), 32),       // IPv4 dummy address
    (Ipv4Addr::new(192, 0, 0, 9), 32),       // port control protocol anycast
    (Ipv4Addr::new(192, 0, 0, 10), 32),      // TURN anycast
    (Ipv4Addr::new(192, 0, 0, 170), 31),     // NAT64/DNS64 discovery (.170 and .171)
    (Ipv4Addr::new(192, 0, 2, 0), 24),       // documentation (TEST-NET-1)
    (Ipv4Addr::new(192, 31, 196, 0), 24),    // AS112-v4
    (Ipv4Addr::new(192, 52, 193, 0), 24),    // AMT
    (Ipv4Addr::new(192, 88, 99, 0), 24),     // deprecated 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),     // private
    (Ipv4Addr::new(192, 175, 48, 0), 24),    // direct delegation AS112 service
    (Ipv4Addr::new(198, 18, 0, 0), 15),      // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24),    // documentation (TEST-NET-2)
    (Ipv4Addr::new(203, 0, 113, 0), 24),     // documentation (TEST-NET-3)
    (Ipv4Addr::new(240, 0, 0, 0), 4),        // reserved
    (Ipv4Addr::new(255, 255, 255, 255), 32), // limited broadcast
    (Ipv4Addr::new(224, 0, 0, 0), 4),        // multicast
    (Ipv4Addr::new(0, 0, 0, 0), 32),         // unspecified
];

/// IPv6 blocks inside global unicast (2000::/3) that are special-purpose.
const V6_SPECIAL: [(Ipv6Addr, u8); 13] = [
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF protocol assignments
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32), // Teredo
    (Ipv6Addr::new(0x2001, 1, 0, 0, 0, 0, 0, 0), 48), // PCP, TURN and DNS-SD SRP anycast
    (Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0), 48), // benchmarking
    (Ipv6Addr::new(0x2001, 3, 0, 0, 0, 0, 0, 0), 32), // AMT
    (Ipv6Addr::new(0x2001, 4, 0x112, 0, 0, 0, 0, 0), 48), // AS112-v6
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28), // deprecated ORCHID
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28), // ORCHIDv2
    (Ipv6Addr::new(0x2001, 0x30, 0, 0, 0, 0, 0, 0), 28), // drone remote ID
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 6to4
    (Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48), // direct delegation AS112
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation
];

fn in_v4(ip: Ipv4Addr, (net, len): (Ipv4Addr, u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(net) & mask
}

fn in_v6(ip: Ipv6Addr, (net, len): (Ipv6Addr, u8)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(net) & mask
}

/// Whether an address is an ordinary public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !V4_SPECIAL.iter().any(|&block| in_v4(v4, block)),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:0:0/96) and the well-known NAT64 prefix (64:ff9b::/96)
            // reach the IPv4 address they carry.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let nat64 = (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96);
            if in_v6(v6, nat64) {
                let [.., a, b, c, d] = v6.octets();
                return is_public(IpAddr::V4(Ipv4Addr::new(a, b, c, d)));
            }
            let global_unicast = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);
            in_v6(v6, global_unicast) && !V6_SPECIAL.iter().any(|&block| in_v6(v6, block))
        }
    }
}

/// Why a URL's host may not be called, when it names an internal address itself (an IP
/// literal, or `localhost`); `None` for a public address or any other name (names are checked
/// by `PublicOnly` when they are resolved).
pub fn internal_host(url: &Url) -> Option<String> {
    match url.host()? {
        url::Host::Ipv4(ip) if !is_public(ip.into()) => {
            Some(format!("{ip} is not a public address"))
        }
        url::Host::Ipv6(ip) if !is_public(ip.into()) => {
            Some(format!("{ip} is not a public address"))
        }
        url::Host::Domain(name)
            if name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost") =>
        {
            Some(format!("{name} is not a public host"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn ordinary_public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "81.2.69.160",
            "151.101.0.1",
            "192.0.1.255",
            "192.0.3.1",
            "198.20.0.1",
            "2a00:1450:4009:81f::200e",
            "2606:4700::1111",
            "2001:200::1",
            "64:ff9b::808:808",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(ip), "{ip}");
        }
    }

    #[test]
    fn every_special_purpose_block_is_refused() {
        for ip in [
            // IPv4 registry, one address in each entry.
            "0.1.2.3",
            "0.0.0.0",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.5.4",
            "172.31.255.255",
            "192.0.0.1",
            "192.0.0.8",
            "192.0.0.9",
            "192.0.0.10",
            "192.0.0.170",
            "192.0.0.171",
            "192.0.0.200",
            "192.0.2.1",
            "192.31.196.1",
            "192.52.193.1",
            "192.88.99.1",
            "192.168.1.1",
            "192.175.48.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "240.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "239.255.255.250",
            // IPv6 registry.
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::1",
            "64:ff9b:1:ffff::8.8.8.8",
            "100::1",
            "100:0:0:1::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:1::1",
            "2001:1::2",
            "2001:1::3",
            "2001:2::1",
            "2001:3::1",
            "2001:4:112::1",
            "2001:10::1",
            "2001:20::1",
            "2001:30::1",
            "2001:1ff::1",
            "2001:db8::1",
            "2002:a00:1::",
            "2002:808:808::1",
            "2620:4f:8000::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::10.0.0.1",
            "::8.8.8.8",
            "4000::1",
        ] {
            assert!(!public(ip), "{ip}");
        }
    }

    #[test]
    fn internal_hosts_are_named() {
        let host = |u: &str| internal_host(&Url::parse(u).unwrap());
        assert!(host("http://127.0.0.1/").is_some());
        assert!(host("http://[::1]:8080/").is_some());
        assert!(host("http://169.254.169.254/latest/meta-data").is_some());
        assert!(host("http://192.0.0.9/").is_some());
        assert!(host("http://localhost:5432/").is_some());
        assert!(host("http://db.localhost/").is_some());
        assert!(host("http://[64:ff9b:1::a00:1]/").is_some());
        assert!(host("https://directory.example.org/oruk").is_none());
        assert!(host("https://8.8.8.8/").is_none());
    }
}
