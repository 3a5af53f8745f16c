// Two IkeEngines in one process over a fake network, fake clock and
// seeded randomness. Arrows follow RFC 7296 §1: A is the initiator
// (fd00:10::1), B the responder (fd00:10::2).
#include <boost/test/unit_test.hpp>

#include "engine_fake_net.hpp"
#include "ike/exchange/proposals.hpp"

using namespace scout6;
using namespace scout6::ike;
using namespace scout6::ike::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPsk = "scout6-test-psk";

struct Pair {
    explicit Pair(const char* psk_b = kPsk, IkeConfig cfg = {})
        : a(net, clock, "fd00:10::1", kPsk, 1, cfg),
          b(net, clock, "fd00:10::2", psk_b, 2, cfg) {}

    InitiateRequest request() const {
        return InitiateRequest{a.addr, b.addr, core::Ip6Prefix{a.addr, 128},
                               core::Ip6Prefix{b.addr, 128}};
    }

    FakeNet net;
    core::FakeClock clock;
    Node a;
    Node b;
};

bool same(const core::SecretBytes& x, const core::SecretBytes& y) {
    return x.size() == y.size() &&
           std::equal(x.view().begin(), x.view().end(), y.view().begin());
}

// The first payload chain of a plain message, for crafted replies.
MessageBody body_of(const Datagram& d, PayloadChain& keep) {
    auto h = d.header();
    keep = *walk_payloads(h.next_payload,
                          core::Bytes(d.bytes).subspan(kIkeHeaderBytes));
    return *parse_body(keep.payloads);
}

// A hand-made IKE_SA_INIT response to `request` carrying one notify.
Datagram notify_reply(const Datagram& request, NotifyType type,
                      std::vector<std::uint8_t> data) {
    PayloadList p;
    p.add_notify(ProtocolId::kNone, type, {}, data);
    IkeHeader h;
    h.spi_i = request.header().spi_i;
    h.exchange = ExchangeType::kIkeSaInit;
    h.flags = kFlagResponse;
    return Datagram{request.to, request.from, *serialize_message(h, p)};
}

bool is_exchange(const Datagram& d, ExchangeType t, bool response) {
    auto h = d.header();
    return h.exchange == t && h.is_response() == response;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_engine_exchange)

BOOST_AUTO_TEST_CASE(establishes_channel_with_matching_keys) {
    Pair t;
    // A --> B  IKE_SA_INIT  HDR, SAi1, KEi, Ni, N(NAT_D)x2     (500 -> 500)
    // A <-- B  IKE_SA_INIT  HDR, SAr1, KEr, Nr, N(NAT_D)x2
    // A --> B  IKE_AUTH     HDR, SK{IDi, AUTH, SAi2, TSi, TSr} (4500 -> 4500)
    // A <-- B  IKE_AUTH     HDR, SK{IDr, AUTH, SAr2, TSi, TSr}
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump();

    BOOST_REQUIRE_EQUAL(t.a.host.ups.size(), 1u);
    BOOST_REQUIRE_EQUAL(t.b.host.ups.size(), 1u);
    const auto& ea = t.a.host.ups[0];
    const auto& eb = t.b.host.ups[0];
    BOOST_TEST(ea.initiator);
    BOOST_TEST(!eb.initiator);
    BOOST_TEST(ea.spi_i == eb.spi_i);
    BOOST_TEST(ea.spi_r == eb.spi_r);
    BOOST_TEST(ea.child.spi_in == eb.child.spi_out);
    BOOST_TEST(ea.child.spi_out == eb.child.spi_in);
    BOOST_TEST(ea.child.keymat_out.size() == 36u);
    BOOST_TEST(same(ea.child.keymat_out, eb.child.keymat_in));
    BOOST_TEST(same(ea.child.keymat_in, eb.child.keymat_out));
    BOOST_TEST(!same(ea.child.keymat_in, ea.child.keymat_out));
    BOOST_TEST((ea.child.ts_local == eb.child.ts_remote));
    BOOST_TEST((ea.child.ts_remote == (core::Ip6Prefix{t.b.addr, 128})));
    BOOST_TEST(ea.peer_port == kNattPort);
    BOOST_TEST(eb.peer_port == kNattPort);

    const auto& sent_a = t.a.host.sent;
    BOOST_REQUIRE_EQUAL(sent_a.size(), 2u);
    BOOST_TEST(is_exchange(sent_a[0], ExchangeType::kIkeSaInit, false));
    BOOST_TEST(sent_a[0].from.port == kIkePort);
    BOOST_TEST(sent_a[0].to.port == kIkePort);
    BOOST_TEST(is_exchange(sent_a[1], ExchangeType::kIkeAuth, false));
    BOOST_TEST(sent_a[1].from.port == kNattPort);
    BOOST_TEST(sent_a[1].to.port == kNattPort);
    BOOST_TEST(t.b.host.sent.at(1).from.port == kNattPort);
    BOOST_TEST(t.a.engine.stats().sas_established == 1u);
    BOOST_TEST(t.b.engine.stats().sas_established == 1u);
    BOOST_TEST((t.a.engine.next_deadline() == std::nullopt));

    std::size_t seen = 0;
    t.a.engine.for_each_sa([&](const SaInfo& info) {
        ++seen;
        BOOST_TEST(info.state == std::string("established"));
        BOOST_TEST(info.child_spi_in == ea.child.spi_in);
    });
    BOOST_TEST(seen == 1u);

    // A second initiate for the same peer is a no-op success.
    BOOST_TEST(t.a.engine.initiate(t.request()).has_value());
    BOOST_TEST(t.net.queue.empty());
}

BOOST_AUTO_TEST_CASE(initiate_sends_nat_detection_that_cannot_match) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    const Datagram& init = t.net.queue.front();
    PayloadChain keep;
    auto body = body_of(init, keep);
    BOOST_TEST(summarize(keep.payloads) ==
               "SA,KE,No,N(NAT_DETECTION_SOURCE_IP),"
               "N(NAT_DETECTION_DESTINATION_IP)");
    BOOST_TEST(body.ke->group == 31);
    BOOST_TEST(body.ke->data.size() == 32u);
    BOOST_TEST(body.nonce->size() == 32u);
    auto h = init.header();
    auto real_src = *nat_detection_hash(h.spi_i, 0, t.a.addr, kIkePort);
    auto real_dst = *nat_detection_hash(h.spi_i, 0, t.b.addr, kIkePort);
    auto src = body.find_notify(NotifyType::kNatDetectionSourceIp)->data;
    auto dst = body.find_notify(NotifyType::kNatDetectionDestinationIp)->data;
    BOOST_TEST(!std::equal(src.begin(), src.end(), real_src.begin()));
    BOOST_TEST(std::equal(dst.begin(), dst.end(), real_dst.begin()));
}

BOOST_AUTO_TEST_CASE(wrong_psk_fails_on_both_sides) {
    Pair t("some-other-psk");
    // A --> B  IKE_SA_INIT ... A <-- B
    // A --> B  IKE_AUTH SK{IDi, AUTH(psk A), ...}
    // A <-- B  IKE_AUTH SK{N(AUTHENTICATION_FAILED)}
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump();
    BOOST_TEST(t.a.host.ups.empty());
    BOOST_TEST(t.b.host.ups.empty());
    BOOST_REQUIRE_EQUAL(t.a.host.fails.size(), 1u);
    BOOST_REQUIRE_EQUAL(t.b.host.fails.size(), 1u);
    BOOST_TEST((t.a.host.fails[0].code == core::Errc::kAuthFailed));
    BOOST_TEST((t.b.host.fails[0].code == core::Errc::kAuthFailed));
    BOOST_TEST(
        std::string(t.a.host.fails[0].detail).find("AUTHENTICATION_FAILED") !=
        std::string::npos);
    BOOST_TEST(t.a.engine.sa_count() == 0u);
    BOOST_TEST(t.b.engine.sa_count() == 0u);
}

BOOST_AUTO_TEST_CASE(initiator_refuses_idr_other_than_queried_address) {
    Pair t;
    // A asks for fd00:10::3; the network hands that to B, who answers as
    // fd00:10::2 (IDr = ID_IPV6_ADDR fd00:10::2). A must refuse.
    auto queried = *core::Ip6Addr::parse("fd00:10::3");
    t.net.rewrite = [&](Datagram& d) {
        if (d.to.addr == queried) d.to.addr = t.b.addr;
        if (d.from.addr == t.b.addr) d.from.addr = queried;
    };
    auto req = t.request();
    req.remote = queried;
    req.ts_remote = *core::Ip6Prefix::parse("fd00:10::/64");
    BOOST_REQUIRE(t.a.engine.initiate(req));
    t.net.pump();
    BOOST_TEST(t.a.host.ups.empty());
    BOOST_REQUIRE_EQUAL(t.a.host.fails.size(), 1u);
    BOOST_TEST((t.a.host.fails[0].code == core::Errc::kAuthFailed));
    BOOST_TEST(std::string(t.a.host.fails[0].detail).find("queried") !=
               std::string::npos);
    BOOST_TEST(t.b.host.ups.size() == 1u);  // B did its part
}

BOOST_AUTO_TEST_CASE(lost_init_is_retransmitted_with_backoff_then_times_out) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    auto start = t.clock.now();
    auto drop_all = [](const Datagram&) { return Fate::kDrop; };
    t.net.pump(drop_all);  // A --> (lost)
    BOOST_TEST(t.a.host.sent.size() == 1u);
    BOOST_TEST((t.a.engine.next_deadline() == start + 500ms));

    t.clock.advance(499ms);
    t.a.engine.on_timer();
    BOOST_TEST(t.a.host.sent.size() == 1u);
    t.clock.advance(1ms);  // retransmit_timeout
    t.a.engine.on_timer();
    BOOST_TEST(t.a.host.sent.size() == 2u);
    BOOST_TEST(t.a.host.sent[1].bytes == t.a.host.sent[0].bytes);
    BOOST_TEST((t.a.engine.next_deadline() == t.clock.now() + 1000ms));  // x2
    t.net.pump(drop_all);

    // Retransmits 2..5 at doubling gaps, then one more gap and give up.
    auto gap = std::chrono::duration_cast<core::Duration>(1000ms);
    for (int i = 2; i <= 5; ++i) {
        t.clock.advance(gap);
        t.a.engine.on_timer();
        BOOST_TEST(t.a.host.sent.size() == static_cast<std::size_t>(i + 1));
        gap *= 2;
    }
    BOOST_TEST(t.a.host.fails.empty());
    t.clock.advance(gap - 1ms);
    t.a.engine.on_timer();
    BOOST_TEST(t.a.host.fails.empty());
    t.clock.advance(1ms);
    t.a.engine.on_timer();
    BOOST_REQUIRE_EQUAL(t.a.host.fails.size(), 1u);
    BOOST_TEST((t.a.host.fails[0].code == core::Errc::kTimeout));
    BOOST_TEST(t.a.host.sent.size() == 6u);
    BOOST_TEST(t.a.engine.sa_count() == 0u);
    BOOST_TEST(t.a.engine.stats().retransmits_sent == 5u);
}

BOOST_AUTO_TEST_CASE(duplicate_auth_request_gets_cached_response) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    // A --> B IKE_AUTH, delivered twice; B answers both with the same bytes.
    t.net.pump([](const Datagram& d) {
        return is_exchange(d, ExchangeType::kIkeAuth, false) ? Fate::kDuplicate
                                                             : Fate::kDeliver;
    });
    const auto& sent_b = t.b.host.sent;
    BOOST_REQUIRE_EQUAL(sent_b.size(), 3u);
    BOOST_TEST(is_exchange(sent_b[1], ExchangeType::kIkeAuth, true));
    BOOST_TEST(sent_b[1].bytes == sent_b[2].bytes);
    BOOST_TEST(t.b.host.ups.size() == 1u);
    BOOST_TEST(t.a.host.ups.size() == 1u);
    BOOST_TEST(t.b.engine.stats().cached_responses_resent == 1u);
    // A got the second copy with no request outstanding.
    BOOST_TEST(t.a.engine.stats().dropped_unmatched_response == 1u);
}

BOOST_AUTO_TEST_CASE(duplicate_init_request_gets_cached_response) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump([](const Datagram& d) {
        return is_exchange(d, ExchangeType::kIkeSaInit, false)
                   ? Fate::kDuplicate
                   : Fate::kDeliver;
    });
    BOOST_TEST(t.b.host.sent.at(0).bytes == t.b.host.sent.at(1).bytes);
    BOOST_TEST(t.b.engine.stats().cached_responses_resent == 1u);
    BOOST_TEST(t.a.host.ups.size() == 1u);
    BOOST_TEST(t.b.host.ups.size() == 1u);
}

BOOST_AUTO_TEST_CASE(cookie_is_echoed_first_with_the_rest_unchanged) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    Datagram first = t.net.queue.front();
    t.net.queue.clear();
    // A <-- (B)  HDR(SPIr=0), N(COOKIE)
    std::vector<std::uint8_t> cookie{'c', 'o', 'o', 'k', 'i', 'e', '-', '1'};
    t.net.deliver(notify_reply(first, NotifyType::kCookie, cookie));
    BOOST_REQUIRE_EQUAL(t.net.queue.size(), 1u);
    // A --> B  HDR, N(COOKIE), SAi1, KEi, Ni, N(NAT_D)x2
    Datagram second = t.net.queue.front();
    PayloadChain k1, k2;
    auto b1 = body_of(first, k1);
    auto b2 = body_of(second, k2);
    BOOST_TEST((k2.payloads.at(0).type == PayloadType::kNotify));
    BOOST_TEST(b2.notifies.at(0).data.size() == cookie.size());
    BOOST_TEST(std::equal(cookie.begin(), cookie.end(),
                          b2.notifies.at(0).data.begin()));
    BOOST_TEST(std::equal(b1.ke->data.begin(), b1.ke->data.end(),
                          b2.ke->data.begin()));
    BOOST_TEST(
        std::equal(b1.nonce->begin(), b1.nonce->end(), b2.nonce->begin()));
    BOOST_TEST(second.header().message_id == 0u);
    BOOST_TEST(t.a.engine.stats().cookies_received == 1u);
    // B takes the cookie'd request as any other and the channel comes up.
    t.net.pump();
    BOOST_TEST(t.a.host.ups.size() == 1u);
    BOOST_TEST(t.b.host.ups.size() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_ke_for_another_group_fails) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    Datagram first = t.net.queue.front();
    t.net.queue.clear();
    // A <-- (B)  N(INVALID_KE_PAYLOAD, group 14)
    t.net.deliver(notify_reply(first, NotifyType::kInvalidKePayload, {0, 14}));
    BOOST_TEST(t.net.queue.empty());
    BOOST_REQUIRE_EQUAL(t.a.host.fails.size(), 1u);
    BOOST_TEST((t.a.host.fails[0].code == core::Errc::kUnsupported));
    BOOST_TEST(t.a.engine.stats().invalid_ke_received == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_ke_for_group_31_retries_with_fresh_ke) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    Datagram first = t.net.queue.front();
    t.net.queue.clear();
    t.net.deliver(notify_reply(first, NotifyType::kInvalidKePayload, {0, 31}));
    BOOST_REQUIRE_EQUAL(t.net.queue.size(), 1u);
    PayloadChain k1, k2;
    auto b1 = body_of(first, k1);
    auto b2 = body_of(t.net.queue.front(), k2);
    BOOST_TEST(!std::equal(b1.ke->data.begin(), b1.ke->data.end(),
                           b2.ke->data.begin()));
    t.net.pump();
    BOOST_TEST(t.a.host.ups.size() == 1u);
}

BOOST_AUTO_TEST_CASE(no_proposal_chosen_fails_with_clear_error) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    Datagram first = t.net.queue.front();
    t.net.queue.clear();
    t.net.deliver(notify_reply(first, NotifyType::kNoProposalChosen, {}));
    BOOST_REQUIRE_EQUAL(t.a.host.fails.size(), 1u);
    BOOST_TEST(
        std::string(t.a.host.fails[0].detail).find("NO_PROPOSAL_CHOSEN") !=
        std::string::npos);
}

BOOST_AUTO_TEST_CASE(responder_answers_wrong_group_and_bad_proposal) {
    Pair t;
    auto craft = [&](std::uint16_t ke_group, SaPayload sa) {
        PayloadList p;
        p.add_sa(sa);
        p.add_ke(ke_group, std::vector<std::uint8_t>(32, 9));
        p.add_nonce(std::vector<std::uint8_t>(32, 7));
        IkeHeader h;
        h.spi_i = 0x1234;
        h.exchange = ExchangeType::kIkeSaInit;
        h.flags = kFlagInitiator;
        return Datagram{Endpoint{t.a.addr, kIkePort},
                        Endpoint{t.b.addr, kIkePort}, *serialize_message(h, p)};
    };
    auto notify_in = [](const Datagram& d) {
        PayloadChain keep;
        auto body = body_of(d, keep);
        return body.notifies.at(0);
    };

    // (A) --> B  SA(DH 31), KE(group 14)  ;  <-- N(INVALID_KE_PAYLOAD, 31)
    t.net.deliver(craft(14, ike_offer()));
    BOOST_REQUIRE_EQUAL(t.b.host.sent.size(), 1u);
    auto n = notify_in(t.b.host.sent[0]);
    BOOST_TEST((n.type == NotifyType::kInvalidKePayload));
    BOOST_TEST(n.data.size() == 2u);
    BOOST_TEST(((n.data[0] << 8) | n.data[1]) == 31);

    // (A) --> B  SA(AES-CBC)  ;  <-- N(NO_PROPOSAL_CHOSEN)
    auto cbc = ike_offer();
    cbc.proposals[0].transforms[0].id = 12;
    t.net.deliver(craft(31, cbc));
    BOOST_REQUIRE_EQUAL(t.b.host.sent.size(), 2u);
    BOOST_TEST(
        (notify_in(t.b.host.sent[1]).type == NotifyType::kNoProposalChosen));
    BOOST_TEST(t.b.engine.sa_count() == 0u);
}

BOOST_AUTO_TEST_CASE(delete_from_one_side_brings_channel_down_on_other) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump();
    BOOST_REQUIRE_EQUAL(t.b.host.ups.size(), 1u);
    // A --> B  INFORMATIONAL SK{D(IKE)}   ;   A <-- B  SK{}
    t.a.engine.shutdown();
    t.net.pump();
    BOOST_REQUIRE_EQUAL(t.b.host.downs.size(), 1u);
    BOOST_TEST((t.b.host.downs[0].peer == t.a.addr));
    BOOST_TEST(t.b.host.downs[0].spi_in == t.b.host.ups[0].child.spi_in);
    BOOST_TEST(t.b.host.downs[0].spi_out == t.b.host.ups[0].child.spi_out);
    BOOST_TEST(t.b.engine.sa_count() == 0u);
    BOOST_TEST(t.a.engine.sa_count() == 0u);
}

BOOST_AUTO_TEST_CASE(half_open_sa_expires) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    // A --> B ; A <-- (lost)
    t.net.pump([](const Datagram& d) {
        return d.header().is_response() ? Fate::kDrop : Fate::kDeliver;
    });
    BOOST_TEST(t.b.engine.sa_count() == 1u);
    t.clock.advance(10s);
    t.b.engine.on_timer();
    BOOST_TEST(t.b.engine.sa_count() == 0u);
    BOOST_TEST(t.b.engine.stats().half_open_expired == 1u);
    BOOST_TEST(t.b.host.fails.empty());
}

BOOST_AUTO_TEST_CASE(half_open_limit_drops_and_counts) {
    IkeConfig cfg;
    cfg.max_half_open = 1;
    Pair t(kPsk, cfg);
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    Datagram first = t.net.queue.front();
    t.net.pump([](const Datagram& d) {
        return d.header().is_response() ? Fate::kDrop : Fate::kDeliver;
    });
    auto other = first;
    other.bytes[0] ^= 0xff;  // another SPIi: another half-open SA
    t.net.deliver(other);
    BOOST_TEST(t.b.engine.stats().dropped_half_open_limit == 1u);
    BOOST_TEST(t.b.engine.sa_count() == 1u);
}

BOOST_AUTO_TEST_CASE(responder_under_load_demands_a_cookie_first) {
    IkeConfig cfg;
    cfg.cookie_threshold = 0;  // always under load
    Pair t(kPsk, cfg);
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    // A --> B  HDR, SA, KE, Ni, N(NAT-D)*
    // A <-- B  HDR, N(COOKIE)                  (no state kept on B)
    // A --> B  HDR, N(COOKIE), SA, KE, Ni, N(NAT-D)*
    // ... then the exchange as usual
    t.net.pump();
    BOOST_TEST(t.b.engine.stats().cookies_sent == 1u);
    BOOST_TEST(t.a.engine.stats().cookies_received == 1u);
    BOOST_REQUIRE_EQUAL(t.a.host.ups.size(), 1u);
    BOOST_REQUIRE_EQUAL(t.b.host.ups.size(), 1u);
}

BOOST_AUTO_TEST_CASE(request_without_valid_cookie_costs_no_state) {
    IkeConfig cfg;
    cfg.cookie_threshold = 0;
    Pair t(kPsk, cfg);
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    Datagram request = t.net.queue.front();
    // A --> B, B's COOKIE answer lost: B holds nothing.
    t.net.pump([](const Datagram& d) {
        return d.header().is_response() ? Fate::kDrop : Fate::kDeliver;
    });
    BOOST_TEST(t.b.engine.sa_count() == 0u);
    BOOST_TEST(t.b.engine.stats().cookies_sent == 1u);

    // The same request with a forged cookie in front is refused too.
    auto h = request.header();
    auto keep = *walk_payloads(
        h.next_payload, core::Bytes(request.bytes).subspan(kIkeHeaderBytes));
    PayloadList p;
    std::vector<std::uint8_t> forged(32, 0x5a);
    p.add_notify(ProtocolId::kNone, NotifyType::kCookie, {}, forged);
    for (const auto& raw : keep.payloads)
        if (raw.type != PayloadType::kNotify ||
            parse_notify(raw.body)->type != NotifyType::kCookie)
            p.add_raw(raw.type, raw.body);
    auto forged_request = request;
    forged_request.bytes = *serialize_message(h, p);
    t.net.deliver(forged_request);
    BOOST_TEST(t.b.engine.stats().cookies_rejected == 1u);
    BOOST_TEST(t.b.engine.sa_count() == 0u);
}

BOOST_AUTO_TEST_CASE(child_delete_tears_down_the_whole_channel) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump();
    BOOST_REQUIRE_EQUAL(t.a.host.ups.size(), 1u);
    auto a_in = t.a.host.ups[0].child.spi_in;
    // A --> B  INFORMATIONAL SK{D(ESP, A's inbound SPI)}
    // A <-- B  SK{D(ESP, B's inbound SPI)}
    // A <-- B  INFORMATIONAL SK{D(IKE)}   ;   A --> B  SK{}
    PayloadList p;
    p.add_delete(DeletePayload{ProtocolId::kEsp, {a_in}});
    BOOST_REQUIRE(t.a.engine.send_informational_for_test(t.b.addr, p));
    t.net.pump();
    BOOST_REQUIRE_EQUAL(t.b.host.downs.size(), 1u);
    BOOST_TEST(t.b.host.downs[0].spi_out == a_in);
    BOOST_REQUIRE_EQUAL(t.a.host.downs.size(), 1u);
    BOOST_TEST(t.a.host.downs[0].spi_in == a_in);
    BOOST_TEST(t.a.engine.sa_count() == 0u);
    BOOST_TEST(t.b.engine.sa_count() == 0u);
    BOOST_TEST(t.b.host.sent.size() == 4u);  // INIT, AUTH, D(ESP), D(IKE)
}

BOOST_AUTO_TEST_CASE(empty_informational_is_answered_and_channel_stays) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump();
    // A --> B  INFORMATIONAL SK{}   ;   A <-- B  SK{}
    BOOST_REQUIRE(t.a.engine.send_informational_for_test(t.b.addr, {}));
    t.net.pump();
    BOOST_TEST(t.b.host.sent.size() == 3u);
    BOOST_TEST(
        is_exchange(t.b.host.sent[2], ExchangeType::kInformational, true));
    BOOST_TEST((t.a.engine.next_deadline() == std::nullopt));  // answered
    BOOST_TEST(t.b.host.downs.empty());
    BOOST_TEST(t.a.engine.sa_count() == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_payloads_skipped_unless_critical) {
    Pair t;
    BOOST_REQUIRE(t.a.engine.initiate(t.request()));
    t.net.pump();
    std::vector<std::uint8_t> junk{1, 2};
    // A --> B  SK{200(C=0)}   ;   A <-- B  SK{}
    PayloadList skip;
    skip.add_raw(static_cast<PayloadType>(200), junk);
    BOOST_REQUIRE(t.a.engine.send_informational_for_test(t.b.addr, skip));
    t.net.pump();
    BOOST_TEST(t.b.engine.stats().dropped_rules == 0u);
    BOOST_TEST(t.b.host.sent.size() == 3u);
    // A --> B  SK{200(C=1)}   ;   A <-- B  SK{N(UNSUPPORTED_CRITICAL_PAYLOAD)}
    PayloadList critical;
    critical.add_raw(static_cast<PayloadType>(200), junk, true);
    BOOST_REQUIRE(t.a.engine.send_informational_for_test(t.b.addr, critical));
    t.net.pump();
    BOOST_TEST(t.b.engine.stats().dropped_rules == 1u);
    BOOST_REQUIRE_EQUAL(t.b.host.sent.size(), 4u);
    BOOST_TEST(
        is_exchange(t.b.host.sent[3], ExchangeType::kInformational, true));
    // Larger than the empty answer: it carries the notify.
    BOOST_TEST(t.b.host.sent[3].bytes.size() > t.b.host.sent[2].bytes.size());
    BOOST_TEST((t.a.engine.next_deadline() == std::nullopt));
    BOOST_TEST(t.b.host.downs.empty());
}

BOOST_AUTO_TEST_SUITE_END()
