#include "services/video/video_store.h"

#include <gtest/gtest.h>

#include "services/video/video_bulk.h"
#include "tests/support/temp_dir.h"

namespace minitok::video {
namespace {

constexpr std::int64_t kVideos = 700;  // more than the feed head and an author's kept newest
constexpr std::int64_t kFirstReadyMs = 1'600'000'000'000;

// Videos 1..700, ready in id order; author 1 made every third, authors 2 and 3 the rest.
class VideoStoreTest : public ::testing::Test {
 protected:
  VideoStoreTest() {
    auto db = std::move(sql::Database::Open({.path = dir_.File("video.db"), .readers = 2}, Migrations()).value());
    const Status seeded = BulkInsertVideos(*db, {.count = kVideos,
                                                 .author_of = [](std::int64_t id) { return AuthorOf(id); },
                                                 .play_path = "seed/play.mp4",
                                                 .cover_path = "seed/cover.jpg",
                                                 .first_ready_ms = kFirstReadyMs});
    EXPECT_TRUE(seeded.ok());
    EXPECT_TRUE(RecountCounters(*db).ok());
    store_ = std::make_unique<VideoStore>(std::move(db), clock_, &public_changes_);
  }
  static std::int64_t AuthorOf(std::int64_t id) { return id % 3 == 0 ? 1 : 2 + id % 2; }

  std::vector<std::int64_t> WholeFeed(int page_size) {
    std::vector<std::int64_t> ids;
    std::int64_t before = clock_.NowMs();
    for (;;) {
      auto page = store_->Feed(before, page_size);
      EXPECT_TRUE(page.ok());
      if (!page.ok() || page->videos.empty()) return ids;
      for (const auto& v : page->videos) ids.push_back(v.id);
      before = page->next_time_ms;
    }
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  cache::DataVersion public_changes_;
  std::unique_ptr<VideoStore> store_;
};

TEST_F(VideoStoreTest, FeedPagesWalkEveryReadyVideoOnceNewestFirst) {
  for (const int page_size : {30, 7}) {
    const auto ids = WholeFeed(page_size);
    ASSERT_EQ(static_cast<std::int64_t>(ids.size()), kVideos) << page_size;
    for (std::int64_t i = 0; i < kVideos; ++i) ASSERT_EQ(ids[static_cast<std::size_t>(i)], kVideos - i);
  }
}

TEST_F(VideoStoreTest, AuthorListsPageBeyondWhatIsKept) {
  std::vector<std::int64_t> ids;
  for (std::int64_t offset = 0;; offset += 40) {
    auto page = store_->ListByAuthor(1, false, {.offset = offset, .limit = 40});
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& v : *page) ids.push_back(v.id);
  }
  ASSERT_EQ(ids.size(), 233u);  // 3, 6, ..., 699
  EXPECT_EQ(ids.front(), 699);
  EXPECT_EQ(ids.back(), 3);
}

TEST_F(VideoStoreTest, AVideoBecomingReadyShowsEverywhereAtOnce) {
  // Read everything once so that the caches are warm.
  const std::int64_t author_ids[] = {1};
  ASSERT_EQ(store_->GetWorkCounts(author_ids).value().front().work_count, 233);
  ASSERT_EQ(store_->Feed(clock_.NowMs() + 1, 30).value().videos.front().id, kVideos);
  ASSERT_EQ(store_->ListByAuthor(1, true, {}).value().front().id, 699);

  auto created = store_->InsertProcessing({.author_id = 1, .title = "new", .media_key = "k1",
                                           .original_path = "k1/play-1.mp4", .original_type = "video/mp4",
                                           .cover_path = "k1/cover-1.jpg"});
  ASSERT_TRUE(created.ok());
  const std::int64_t id = created->id;
  EXPECT_EQ(store_->ListByAuthor(1, true, {}).value().front().id, id);  // the author sees it processing
  EXPECT_EQ(store_->ListByAuthor(1, false, {}).value().front().id, 699);
  EXPECT_EQ(store_->Feed(clock_.NowMs() + 1, 30).value().videos.front().id, kVideos);

  ASSERT_TRUE(store_->SetStateReason(id, "transcoding: 50%").ok());
  const std::int64_t ids[] = {id};
  EXPECT_EQ(store_->GetVideos(ids).value().front().state_reason, "transcoding: 50%");

  const std::uint64_t before_ready = public_changes_.Current();
  ASSERT_TRUE(store_->MarkReady(id, "k1/play-2.mp4", true).ok());
  EXPECT_NE(public_changes_.Current(), before_ready);
  EXPECT_EQ(store_->GetVideos(ids).value().front().state, VideoState::kReady);
  EXPECT_EQ(store_->Feed(clock_.NowMs() + 1, 30).value().videos.front().id, id);
  EXPECT_EQ(store_->ListByAuthor(1, false, {}).value().front().id, id);
  EXPECT_EQ(store_->GetWorkCounts(author_ids).value().front().work_count, 234);
}

TEST_F(VideoStoreTest, WhatOnlyTheAuthorSeesLeavesPublicAnswersAndTheFeedHeadAlone) {
  ASSERT_EQ(store_->Feed(clock_.NowMs() + 1, 30).value().videos.front().title, "Seeded video 700");
  const std::uint64_t before = public_changes_.Current();
  auto created = store_->InsertProcessing({.author_id = 1, .title = "new", .media_key = "k2",
                                           .original_path = "k2/play-1.mp4", .original_type = "video/mp4",
                                           .cover_path = "k2/cover-1.jpg"});
  ASSERT_TRUE(created.ok());
  // Behind the store's back, so that a re-read of the feed's head would show.
  auto behind = sql::Connection::Open(dir_.File("video.db"), false).value();
  ASSERT_TRUE(behind->Execute("UPDATE videos SET title = 'changed behind' WHERE id = 700").ok());
  for (int progress = 0; progress < 3; ++progress) {
    ASSERT_TRUE(store_->SetStateReason(created->id, "transcoding: " + std::to_string(progress * 30) + "%").ok());
  }
  ASSERT_TRUE(store_->RetryLater(created->id, 1, clock_.NowMs() + 1000, "ffmpeg failed").ok());
  ASSERT_TRUE(store_->MarkFailed(created->id, "not a video").ok());
  EXPECT_EQ(public_changes_.Current(), before);
  EXPECT_EQ(store_->Feed(clock_.NowMs() + 1, 30).value().videos.front().title, "Seeded video 700");
}

TEST_F(VideoStoreTest, AJobEndsOnceAndAReleasedJobCanBeClaimedAgain) {
  auto created = store_->InsertProcessing({.author_id = 2, .title = "twice", .media_key = "k3",
                                           .original_path = "k3/play-1.mp4", .original_type = "video/mp4",
                                           .cover_path = "k3/cover-1.jpg"});
  ASSERT_TRUE(created.ok());
  const std::int64_t id = created->id;
  const std::int64_t author_ids[] = {2};
  const std::int64_t works_before = store_->GetWorkCounts(author_ids).value().front().work_count;
  // A worker claims it and is lost: the job is released, and another claims it.
  auto first = store_->ClaimDueJob();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->video_id, id);
  EXPECT_FALSE(store_->ClaimDueJob()->has_value()) << "a running job is not claimed twice";
  ASSERT_TRUE(store_->ReleaseJob(id).ok());
  auto second = store_->ClaimDueJob();
  ASSERT_TRUE(second.ok() && second->has_value());
  // Both finish it: the video becomes ready once and counts once.
  ASSERT_TRUE(store_->MarkReady(id, "k3/play-2.mp4", true).ok());
  ASSERT_TRUE(store_->MarkReady(id, "k3/play-2.mp4", true).ok());
  EXPECT_EQ(store_->GetWorkCounts(author_ids).value().front().work_count, works_before + 1);
  // A late failure or retry of the ended job changes nothing.
  EXPECT_EQ(store_->MarkFailed(id, "late").error().code, Code::kNotFound);
  EXPECT_EQ(store_->RetryLater(id, 1, clock_.NowMs(), "late").error().code, Code::kNotFound);
  const std::int64_t ids[] = {id};
  EXPECT_EQ(store_->GetVideos(ids).value().front().state, VideoState::kReady);
  EXPECT_TRUE(store_->ReleaseJob(id).ok()) << "releasing an ended job is harmless";
  EXPECT_FALSE(store_->ClaimDueJob()->has_value());
}

}  // namespace
}  // namespace minitok::video
