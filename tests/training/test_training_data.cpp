// Data reading, label masks and `data check` problems on the tiny ChatML tokenizer.
#include "core/chat/chat_template.h"
#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/tokenizer/tokenizer.h"
#include "training/batch_collator.h"
#include "training/sample_builder.h"
#include "training/training_data.h"
#include "training_fixtures.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <filesystem>
#include <map>

#include <sys/stat.h>
#include <cmath>

using namespace vora;
using namespace vora::training;
using vora::testing::writeBmp;
using vora::testing::writePpm;
using vora::testing::writeTextFile;

namespace {

std::unique_ptr<core::Tokenizer> tinyTokenizer()
{
    return core::Tokenizer::load(VORA_TEST_DATA_DIR "/training/tokenizer");
}

DataRecord parse(const std::string& line)
{
    std::vector<DataProblem> problems;
    auto record = parseDataLine(line, "t.jsonl", 1, problems);
    if (!record) {
        throw std::runtime_error(problems.at(0).describe());
    }
    return *record;
}

std::vector<int32_t> toIds(const std::vector<int64_t>& ids)
{
    std::vector<int32_t> out;
    for (const int64_t id : ids) {
        if (id >= 0) {
            out.push_back(static_cast<int32_t>(id));
        }
    }
    return out;
}

} // namespace

class TestTrainingData : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labelMasks_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("fullText");
        QTest::addColumn<QString>("supervisedText");
        QTest::addColumn<int>("images");
        QTest::newRow("multi-turn, system override, two images")
            << R"({"id":"a","frames":["x.png","y.png"],"conversations":[{"from":"system","value":"Be brief."},{"from":"human","value":"<image><image>Compare."},{"from":"gpt","value":"Same."},{"from":"human","value":"Why?"},{"from":"gpt","value":"Colour."}]})"
            << "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCompare.<|im_end|>\n<|im_start|>assistant\nSame.<|im_end|>\n<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\nColour.<|im_end|>"
            << "Same.<|im_end|>Colour.<|im_end|>" << 2;
        QTest::newRow("text-only, default system")
            << R"({"id":"b","conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello there"}]})"
            << "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello there<|im_end|>"
            << "Hello there<|im_end|>" << 0;
        QTest::newRow("placeholder prepended")
            << R"({"id":"c","frames":["x.png"],"conversations":[{"from":"human","value":"What is it?"},{"from":"gpt","value":"A cat"}]})"
            << "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is it?<|im_end|>\n<|im_start|>assistant\nA cat<|im_end|>"
            << "A cat<|im_end|>" << 1;
    }

    void labelMasks()
    {
        QFETCH(QString, line);
        QFETCH(QString, fullText);
        QFETCH(QString, supervisedText);
        QFETCH(int, images);
        const auto tokenizer = tinyTokenizer();
        const TrainingSample sample = buildTrainingSample(parse(line.toStdString()), *tokenizer, {});
        QCOMPARE(sample.ids.size(), sample.labels.size());
        QCOMPARE(tokenizer->decode(toIds(sample.ids)), fullText.toStdString());
        std::vector<int64_t> supervised;
        int sentinels = 0;
        for (size_t i = 0; i < sample.ids.size(); ++i) {
            sentinels += sample.ids[i] == core::kImageSentinelId;
            if (sample.labels[i] != kIgnoreLabel) {
                QCOMPARE(sample.labels[i], sample.ids[i]);
                supervised.push_back(sample.labels[i]);
            }
        }
        QCOMPARE(sentinels, images);
        QCOMPARE(tokenizer->decode(toIds(supervised)), supervisedText.toStdString());
        // The "\n" after an assistant's <|im_end|> belongs to the next prompt and is masked.
        const int64_t imEnd = *tokenizer->tokenToId("<|im_end|>");
        for (size_t i = 0; i + 1 < sample.ids.size(); ++i) {
            if (sample.ids[i] == imEnd && sample.labels[i] != kIgnoreLabel) {
                QCOMPARE(sample.labels[i + 1], kIgnoreLabel);
            }
        }
        QCOMPARE(sample.ids.back(), imEnd);
    }

    void imagePlaceholdersSitBeforeTheUserText()
    {
        const auto tokenizer = tinyTokenizer();
        const TrainingSample s = buildTrainingSample(
            parse(R"({"frames":["a.png"],"conversations":[{"from":"human","value":"<image>Hi"},{"from":"gpt","value":"Yo"}]})"),
            *tokenizer, {});
        const auto at = std::find(s.ids.begin(), s.ids.end(), core::kImageSentinelId);
        QVERIFY(at != s.ids.end());
        std::vector<int64_t> before(s.ids.begin(), at);
        QVERIFY(tokenizer->decode(toIds(before)).ends_with("<|im_start|>user\n"));
    }

    void truncationKeepsWholeRounds()
    {
        const auto tokenizer = tinyTokenizer();
        const DataRecord record = parse(
            R"({"conversations":[{"from":"human","value":"Q1"},{"from":"gpt","value":"A1"},{"from":"human","value":"Q2 is long"},{"from":"gpt","value":"A2 is also long"}]})");
        const TrainingSample full = buildTrainingSample(record, *tokenizer, {});
        SampleBuilderOptions options;
        options.maxTextLen = full.textTokens - 3;
        const TrainingSample cut = buildTrainingSample(record, *tokenizer, options);
        QVERIFY(cut.truncated);
        QVERIFY(tokenizer->decode(toIds(cut.ids)).ends_with("A1<|im_end|>"));
        options.maxTextLen = 20; // inside the first round: cut and closed with a supervised <|im_end|>
        const TrainingSample first = buildTrainingSample(record, *tokenizer, options);
        QCOMPARE(first.textTokens, int64_t(20));
        QCOMPARE(first.ids.back(), int64_t(*tokenizer->tokenToId("<|im_end|>")));
        QCOMPARE(first.labels.back(), first.ids.back());
    }

    void dataCheckFindsEachKind()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        writeTextFile((root + "/corrupt.png").toStdString(), "not a png");
        // A valid 1x1 PNG is not needed for the problem kinds; a good text-only line stays good.
        const std::string long_(300, 'x');
        writeTextFile((root + "/data.jsonl").toStdString(),
                  std::string(R"({"id":"ok","conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Yo"}]})") + "\n"
                      + "{not json\n"
                      + R"({"id":"e","conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"  "}]})" + "\n"
                      + R"({"id":"p","frames":["a.png"],"conversations":[{"from":"human","value":"<image><image>Hi"},{"from":"gpt","value":"Yo"}]})" + "\n"
                      + R"({"id":"m","frames":["missing.png"],"conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Yo"}]})" + "\n"
                      + R"({"id":"c","frames":["corrupt.png"],"conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Yo"}]})" + "\n"
                      + R"({"id":"l","conversations":[{"from":"human","value":")" + long_ + R"("},{"from":"gpt","value":"Yo"}]})" + "\n"
                      + R"({"id":"s","conversations":[{"from":"gpt","value":"Yo"}]})" + "\n");
        const DataSet data = readDataFiles({(root + "/data.jsonl").toStdString()});
        const auto tokenizer = tinyTokenizer();
        DataCheckOptions options;
        options.images.root = root.toStdString();
        options.tokenizer = tokenizer.get();
        options.maxTextLen = 100;
        const DataCheckReport report = checkDataSet(data, options);
        std::map<int, DataProblemKind> byLine;
        for (const DataProblem& p : report.problems) {
            byLine[p.line] = p.kind;
        }
        QCOMPARE(byLine.count(1), size_t(0));
        QCOMPARE(byLine.at(2), DataProblemKind::BadJson);
        QCOMPARE(byLine.at(3), DataProblemKind::EmptyAnswer);
        QCOMPARE(byLine.at(4), DataProblemKind::PlaceholderMismatch);
        QCOMPARE(byLine.at(5), DataProblemKind::MissingImage);
        QCOMPARE(byLine.at(6), DataProblemKind::CorruptImage);
        QCOMPARE(byLine.at(7), DataProblemKind::OverLength);
        QCOMPARE(byLine.at(8), DataProblemKind::BadStructure);
        QCOMPARE(report.goodSamples, int64_t(2)); // line 1 and the over-length line (truncated in training)
        QVERIFY(!report.lengthHistogram.empty());
    }

    // Binary PPM frames (what builds without OpenCV train on) pass the data check, a truncated one is
    // reported as corrupt, and collation decodes and normalises the pixels.
    void ppmFramesAreCheckedAndCollated()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        writePpm(root + "/red.ppm", 28, 230, 20, 20);
        writeTextFile(root + "/short.ppm", "P6\n28 28\n255\n" + std::string(100, 'x'));
        writeTextFile(root + "/data.jsonl",
                      std::string(R"({"id":"r","frames":["red.ppm"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"red"}]})") + "\n"
                          + R"({"id":"s","frames":["short.ppm"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"red"}]})" + "\n");
        const DataSet data = readDataFiles({root + "/data.jsonl"});
        DataCheckOptions options;
        options.images.root = root;
        const DataCheckReport report = checkDataSet(data, options);
        QCOMPARE(report.problems.size(), size_t(1));
        QCOMPARE(report.problems[0].line, 2);
        QCOMPARE(report.problems[0].kind, DataProblemKind::CorruptImage);
        QVERIFY(report.problems[0].message.find("truncated PPM") != std::string::npos);
        QCOMPARE(report.goodSamples, int64_t(1));

        const auto tokenizer = tinyTokenizer();
        const TrainingSample sample = buildTrainingSample(data.records[0], *tokenizer, {{root}, 128});
        CollateOptions collate;
        collate.preprocess.imageSize = 28;
        collate.preprocess.patchSize = 14;
        const Batch batch = collateBatch({&sample}, collate);
        QCOMPARE(batch.pixels.sizes().vec(), (std::vector<int64_t>{1, 3, 28, 28}));
        for (int c = 0; c < 3; ++c) {
            const double level = std::array<double, 3>{230, 20, 20}[c] / 255.0;
            const double expected = (level - collate.preprocess.mean[c]) / collate.preprocess.std[c];
            QVERIFY(std::abs(batch.pixels[0][c].min().item<double>() - expected) < 1e-5);
            QVERIFY(std::abs(batch.pixels[0][c].max().item<double>() - expected) < 1e-5);
        }
    }

    // Frames stay inside the image root: "..", absolute paths and symlinks out of it are refused as
    // such (the same refusal whether the file outside exists or not), in the data check and in what
    // training builds; a root that is itself a symlink works; the explicit option lets them through.
    void framesAreConfinedToTheImageRoot()
    {
        QTemporaryDir dir;
        const std::string base = dir.path().toStdString();
        std::filesystem::create_directories(base + "/real/data");
        writeBmp(base + "/real/data/inside.bmp", 8, 200, 10, 10);
        writeBmp(base + "/outside.bmp", 8, 10, 200, 10);
        std::filesystem::create_symlink(base + "/outside.bmp", base + "/real/data/escape.bmp");
        std::filesystem::create_directory_symlink(base + "/real/data", base + "/linked-root");
        const auto line = [](const std::string& id, const std::string& frame) {
            const nlohmann::json record = {
                {"id", id}, {"frames", {frame}},
                {"conversations", {{{"from", "human"}, {"value", "<image>Colour?"}}, {{"from", "gpt"}, {"value", "red"}}}}};
            return record.dump() + "\n";
        };
        writeTextFile(base + "/real/data/data.jsonl",
                      line("inside", "inside.bmp") + line("dotdot", "../../outside.bmp") + line("absolute", base + "/outside.bmp")
                          + line("symlink", "escape.bmp") + line("absent", "../../no-such-file.bmp")
                          + line("absolute-inside", base + "/linked-root/inside.bmp"));
        const DataSet data = readDataFiles({base + "/real/data/data.jsonl"});
        QCOMPARE(data.records.size(), size_t(6));

        for (const std::string& root : {base + "/linked-root", std::string()}) { // explicit (a symlink) and default
            DataCheckOptions options;
            options.images.root = root;
            const DataCheckReport report = checkDataSet(data, options);
            std::map<int, DataProblem> byLine;
            for (const DataProblem& p : report.problems) {
                byLine[p.line] = p;
            }
            QCOMPARE(report.problems.size(), size_t(4));
            for (const int refused : {2, 3, 4, 5}) {
                QCOMPARE(byLine.at(refused).kind, DataProblemKind::OutsideImageRoot);
                QVERIFY2(byLine.at(refused).message.find("leads outside the image root") != std::string::npos,
                         byLine.at(refused).message.c_str());
            }
            QCOMPARE(report.goodSamples, int64_t(2)); // lines 1 and 6

            const auto tokenizer = tinyTokenizer();
            QVERIFY_THROWS_EXCEPTION(core::Error, buildTrainingSample(data.records[1], *tokenizer, {{root}, 128}));
            QVERIFY_THROWS_EXCEPTION(core::Error, buildTrainingSample(data.records[3], *tokenizer, {{root}, 128}));
            const TrainingSample inside = buildTrainingSample(data.records[0], *tokenizer, {{root}, 128});
            QCOMPARE(inside.imagePaths.at(0), std::filesystem::canonical(base + "/real/data/inside.bmp").string());
        }

        DataCheckOptions allowed;
        allowed.images = {base + "/linked-root", true};
        const DataCheckReport report = checkDataSet(data, allowed);
        QCOMPARE(report.problems.size(), size_t(1)); // only the file that does not exist
        QCOMPARE(report.problems[0].kind, DataProblemKind::MissingImage);
        QCOMPARE(report.goodSamples, int64_t(5));
    }

    // A data file that is a FIFO is refused instead of blocking; a "line" without end is bounded.
    void dataFilesAreReadWithinBounds()
    {
        QTemporaryDir dir;
        const std::string fifo = dir.path().toStdString() + "/data.jsonl";
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        try {
            readDataFiles({fifo});
            QFAIL("a FIFO was read as data");
        } catch (const core::Error& error) {
            QVERIFY2(std::string(error.what()).find("not a regular file") != std::string::npos, error.what());
        }
        const std::string endless = dir.path().toStdString() + "/endless.jsonl";
        writeTextFile(endless, "{\"id\": \"" + std::string(core::kMaxDataLineBytes + 1, 'x'));
        try {
            readDataFiles({endless});
            QFAIL("a line past the limit was read");
        } catch (const core::Error& error) {
            QVERIFY2(std::string(error.what()).find("endless.jsonl:1: line longer than") != std::string::npos, error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainingData)
#include "test_training_data.moc"
