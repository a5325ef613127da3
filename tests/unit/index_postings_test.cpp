// Postings set operations against brute force on random sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "encoding/encoding.h"
#include "index/postings.h"

namespace tsdb::index {
namespace {

std::vector<SeriesRef> RandomSet(std::mt19937& rng, size_t max_n, SeriesRef universe) {
  std::set<SeriesRef> s;
  size_t n = rng() % (max_n + 1);
  for (size_t i = 0; i < n; ++i) s.insert(rng() % universe);
  return {s.begin(), s.end()};
}

std::vector<SeriesRef> Drain(Postings& p) {
  auto r = ExpandPostings(p);
  EXPECT_TRUE(r.ok());
  return *r;
}

// Big-endian bytes of a set, to exercise the mmap-style list too.
std::string BigEndian(const std::vector<SeriesRef>& v) {
  std::string b;
  for (SeriesRef r : v) encoding::PutBE32(&b, static_cast<uint32_t>(r));
  return b;
}

TEST(Postings, ListIteratesAndSeeks) {
  auto p = NewListPostings({2, 4, 8, 16, 32, 64});
  EXPECT_TRUE(p->Seek(5));
  EXPECT_EQ(p->At(), 8u);
  EXPECT_TRUE(p->Seek(3));  // never backwards
  EXPECT_EQ(p->At(), 8u);
  EXPECT_TRUE(p->Next());
  EXPECT_EQ(p->At(), 16u);
  EXPECT_TRUE(p->Seek(64));
  EXPECT_EQ(p->At(), 64u);
  EXPECT_FALSE(p->Seek(65));
  EXPECT_FALSE(p->Next());
  EXPECT_TRUE(p->status().ok());
}

TEST(Postings, BigEndianListReportsUnsortedEntriesWithOffset) {
  std::string b = BigEndian({1, 5, 3});
  auto p = NewBigEndianPostings(reinterpret_cast<const uint8_t*>(b.data()), 3, 1000);
  EXPECT_TRUE(p->Next());
  EXPECT_TRUE(p->Next());
  EXPECT_FALSE(p->Next());
  EXPECT_EQ(p->status().code(), Status::Code::kCorruption);
  EXPECT_NE(p->status().message().find("1008"), std::string::npos) << p->status().message();
}

TEST(Postings, EmptyInputs) {
  EXPECT_TRUE(Drain(*Intersect({})).empty());
  EXPECT_TRUE(Drain(*Merge({})).empty());
  EXPECT_TRUE(Drain(*Without(EmptyPostings(), NewListPostings({1}))).empty());
  std::vector<PostingsPtr> v;
  v.push_back(NewListPostings({1, 2}));
  v.push_back(EmptyPostings());
  EXPECT_TRUE(Drain(*Intersect(std::move(v))).empty());
}

TEST(Postings, ErrorsPropagate) {
  std::vector<PostingsPtr> v;
  v.push_back(NewListPostings({1, 2}));
  v.push_back(ErrPostings(Status::Corruption("boom")));
  auto m = Merge(std::move(v));
  auto r = ExpandPostings(*m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "boom");
}

TEST(Postings, SetOperationsMatchBruteForce) {
  std::mt19937 rng(42);
  for (int round = 0; round < 400; ++round) {
    const SeriesRef universe = 1 + rng() % (round % 2 ? 50 : 100000);
    size_t k = 1 + rng() % 5;
    std::vector<std::vector<SeriesRef>> sets;
    std::vector<std::string> bytes;
    for (size_t i = 0; i < k; ++i) {
      sets.push_back(RandomSet(rng, i == 0 ? 2000 : 300, universe));
      bytes.push_back(BigEndian(sets.back()));
    }
    auto make = [&](size_t i) {
      if (i % 2) return NewListPostings(sets[i]);
      return NewBigEndianPostings(reinterpret_cast<const uint8_t*>(bytes[i].data()), sets[i].size());
    };
    std::vector<SeriesRef> want_and = sets[0], want_or;
    std::set<SeriesRef> all;
    for (size_t i = 0; i < k; ++i) {
      std::vector<SeriesRef> tmp;
      std::set_intersection(want_and.begin(), want_and.end(), sets[i].begin(), sets[i].end(),
                            std::back_inserter(tmp));
      want_and = tmp;
      all.insert(sets[i].begin(), sets[i].end());
    }
    want_or.assign(all.begin(), all.end());
    std::vector<SeriesRef> want_without;
    std::set_difference(sets[0].begin(), sets[0].end(), (k > 1 ? sets[1] : sets[0]).begin(),
                        (k > 1 ? sets[1] : sets[0]).end(), std::back_inserter(want_without));

    std::vector<PostingsPtr> a, o;
    for (size_t i = 0; i < k; ++i) {
      a.push_back(make(i));
      o.push_back(make(i));
    }
    EXPECT_EQ(Drain(*Intersect(std::move(a))), want_and) << round;
    EXPECT_EQ(Drain(*Merge(std::move(o))), want_or) << round;
    EXPECT_EQ(Drain(*Without(make(0), make(k > 1 ? 1 : 0))), want_without) << round;

    // Seek on composed lists: random increasing targets against brute force.
    std::vector<PostingsPtr> a2, o2;
    for (size_t i = 0; i < k; ++i) {
      a2.push_back(make(i));
      o2.push_back(make(i));
    }
    struct Case {
      PostingsPtr p;
      const std::vector<SeriesRef>* want;
    };
    std::vector<Case> cases;
    cases.push_back({Intersect(std::move(a2)), &want_and});
    cases.push_back({Merge(std::move(o2)), &want_or});
    cases.push_back({Without(make(0), make(k > 1 ? 1 : 0)), &want_without});
    for (auto& c : cases) {
      SeriesRef target = 0;
      SeriesRef cur = 0;
      bool have = false;
      for (int step = 0; step < 20; ++step) {
        bool seek = rng() % 2;
        if (seek) {
          target += rng() % (universe / 10 + 2);
          auto it = std::lower_bound(c.want->begin(), c.want->end(), have ? std::max(cur, target) : target);
          bool ok = c.p->Seek(target);
          ASSERT_EQ(ok, it != c.want->end()) << round << " step " << step;
          if (!ok) break;
          EXPECT_EQ(c.p->At(), *it);
          cur = *it;
          have = true;
        } else {
          auto it = have ? std::upper_bound(c.want->begin(), c.want->end(), cur) : c.want->begin();
          bool ok = c.p->Next();
          ASSERT_EQ(ok, it != c.want->end()) << round << " step " << step;
          if (!ok) break;
          EXPECT_EQ(c.p->At(), *it);
          cur = *it;
          have = true;
          target = std::max(target, cur);
        }
      }
    }
  }
}

TEST(Postings, IntersectOfShortAndHugeListIsFast) {
  std::vector<SeriesRef> huge(2'000'000);
  for (size_t i = 0; i < huge.size(); ++i) huge[i] = 2 * i;
  std::vector<SeriesRef> small = {10, 999'999, 1'000'000, 3'999'998, 5'000'000};
  std::vector<PostingsPtr> v;
  v.push_back(NewListPostings(small));
  v.push_back(NewListPostings(std::move(huge)));
  auto p = Intersect(std::move(v));
  EXPECT_EQ(Drain(*p), (std::vector<SeriesRef>{10, 1'000'000, 3'999'998}));
}

}  // namespace
}  // namespace tsdb::index
