// What a run's options do, on the tiny Qwen2 base: the attention among image tokens (collated mask,
// loss, the merged config), validation loss against an independent computation on the inference path,
// and --keep-checkpoints.
#include "core/chat/chat_template.h"
#include "core/error.h"
#include "core/image/model_image.h"
#include "core/model/model_config.h"
#include "core/safetensors/safetensors_writer.h"
#include "core/tokenizer/tokenizer.h"
#include "training/batch_collator.h"
#include "training/checkpoint_store.h"
#include "training/lora_merge.h"
#include "training/sample_set.h"
#include "training/trainable_model.h"
#include "training/trainer.h"
#include "training/warm_start.h"
#include "inference_logits.h"
#include "tiny_options.h"
#include "training_fixtures.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace vora;
using namespace vora::training;
using nlohmann::json;

namespace {

using core::VisionAttentionMask;

// Two image samples on images whose patches all differ, one text-only sample.
std::string writeTexturedDataSet(const std::string& root)
{
    vora::testing::writeGradientBmp(root + "/gradient.bmp", 40);
    const std::string path = root + "/textured.jsonl";
    vora::testing::writeTextFile(
        path, R"({"id":"1","frames":["gradient.bmp"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"red"}]})"
                  "\n"
                  R"({"id":"2","frames":["gradient.bmp"],"conversations":[{"from":"human","value":"<image>Shape?"},{"from":"gpt","value":"blue"}]})"
                  "\n"
                  R"({"id":"3","conversations":[{"from":"human","value":"Say hi"},{"from":"gpt","value":"hi there"}]})"
                  "\n");
    return path;
}

std::vector<json> collectLines(const TrainOptions& options, TrainResult* result = nullptr)
{
    std::vector<json> lines;
    const TrainResult r = runTraining(options, nullptr, [&](const std::string& text) { lines.push_back(json::parse(text)); });
    if (result) {
        *result = r;
    }
    return lines;
}

std::vector<json> eventsNamed(const std::vector<json>& lines, const std::string& event)
{
    std::vector<json> out;
    std::copy_if(lines.begin(), lines.end(), std::back_inserter(out), [&](const json& l) { return l.at("event") == event; });
    return out;
}

std::string readText(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string();
}

json readJson(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return json::parse(file.readAll().toStdString());
}

// What collation allows each query to attend to: the explicit mask, or plain causal without one.
at::Tensor effectiveAllowed(const Batch& batch)
{
    const int64_t length = batch.ids.size(1);
    if (batch.mask.mask.defined()) {
        return batch.mask.mask[0][0];
    }
    return torch::ones({length, length}, torch::kBool).tril();
}

// The mean cross-entropy per supervised token over samples, from inference-path logits in float64.
double independentLoss(core::VoraModel& model, const std::vector<TrainingSample>& samples, const core::PreprocessConfig& pre)
{
    torch::NoGradGuard noGrad;
    double sum = 0;
    int64_t count = 0;
    for (const TrainingSample& sample : samples) {
        const vora::testing::InferenceLogits result = vora::testing::inferenceLogits(model, sample.ids, sample.imagePaths, pre);
        std::vector<int64_t> labels; // per expanded position; image positions are never targets
        size_t image = 0;
        for (size_t k = 0; k < sample.ids.size(); ++k) {
            if (sample.ids[k] == core::kImageTokenSentinel) {
                labels.insert(labels.end(), static_cast<size_t>(result.imageTokens.at(image++)), kIgnoreLabel);
            } else {
                labels.push_back(sample.labels[k]);
            }
        }
        const int64_t length = result.logits.size(0);
        if (static_cast<int64_t>(labels.size()) != length) {
            throw std::runtime_error("expanded labels and the assembled sequence differ in length");
        }
        const at::Tensor logProbs = torch::log_softmax(result.logits.to(torch::kDouble), -1);
        for (int64_t position = 0; position + 1 < length; ++position) {
            const int64_t target = labels[static_cast<size_t>(position + 1)];
            if (target != kIgnoreLabel) {
                sum -= logProbs[position][target].item<double>();
                ++count;
            }
        }
    }
    return sum / static_cast<double>(count);
}

QStringList stepFolders(const std::string& out)
{
    return QDir(QString::fromStdString(out + "/checkpoints")).entryList({"step-*"}, QDir::Dirs, QDir::Name);
}

} // namespace

class TestTrainingRuns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void causalAndBidirectionalCollateDifferentMasks()
    {
        TrainingSample sample;
        sample.ids = {5, core::kImageSentinelId, 6, 7};
        sample.labels = {kIgnoreLabel, kIgnoreLabel, 6, 7};
        const std::vector<at::Tensor> pixels = {torch::randn({3, 28, 28})}; // 4 image tokens
        const std::vector<const TrainingSample*> batch = {&sample};
        const c10::Device cpu(c10::kCPU);
        const Batch bidirectional = collateWithPixels(batch, pixels, 14, VisionAttentionMask::Bidirectional, cpu);
        const Batch causal = collateWithPixels(batch, pixels, 14, VisionAttentionMask::Causal, cpu);
        const at::Tensor differs = effectiveAllowed(bidirectional) != effectiveAllowed(causal);
        // Exactly the 4*3/2 pairs where an image token attends to a later token of its own image.
        QCOMPARE(differs.sum().item<int64_t>(), int64_t(6));
        QVERIFY(differs[1][4].item<bool>() && !effectiveAllowed(causal)[1][4].item<bool>());
        QVERIFY(!differs[0].any().item<bool>() && !differs[5].any().item<bool>()); // text rows stay causal
    }

    void imageAttentionReachesTrainingAndTheMergedConfig()
    {
        const std::string root = m_dir.path().toStdString();
        TrainOptions o = vora::testing::tinyTrainOptions();
        o.dataFiles = {writeTexturedDataSet(root)};
        o.imageRoot = root;
        o.maxSteps = 1;
        o.batchSize = 3;
        std::map<std::string, double> firstLoss;
        for (const auto& [name, mode] : {std::pair{"bidirectional", VisionAttentionMask::Bidirectional},
                                         std::pair{"causal", VisionAttentionMask::Causal}}) {
            o.imageAttention = mode;
            o.outDir = root + "/attention-" + name;
            TrainResult result;
            const std::vector<json> lines = collectLines(o, &result);
            QCOMPARE(eventsNamed(lines, "start").at(0).at("image_attention").get<std::string>(), std::string(name));
            firstLoss[name] = result.losses.at(0);

            MergeOptions merge;
            merge.modelDir = o.modelDir;
            merge.checkpoint = o.outDir;
            merge.outDir = root + "/merged-" + name;
            merge.dtype = "float32";
            const MergeReport report = mergeCheckpoint(merge); // its probe runs the merged model with its config's mask
            QVERIFY2(report.maxLogitDiff < 1e-4, std::to_string(report.maxLogitDiff).c_str());
            const json config = readJson(merge.outDir + "/config.json");
            // "default" is the reference implementation's word for plain causal attention.
            QCOMPARE(config.at("vision_attention_mask").get<std::string>(), std::string(mode == VisionAttentionMask::Causal ? "default" : "bidirectional"));
            QVERIFY(core::loadModelConfig(merge.outDir).vision->attentionMask == mode);
        }
        // Same seed, same initial weights and batch: only the mask among image tokens differs.
        QVERIFY2(firstLoss["causal"] != firstLoss["bidirectional"], std::to_string(firstLoss["causal"]).c_str());

        // A VoRA base brings its mode unless the option overrides it.
        TrainOptions onVora = o;
        onVora.modelDir = root + "/merged-causal";
        onVora.imageAttention.reset();
        QVERIFY(TrainableModel::create(onVora)->model().config().vision->attentionMask == VisionAttentionMask::Causal);
        onVora.imageAttention = VisionAttentionMask::Bidirectional;
        QVERIFY(TrainableModel::create(onVora)->model().config().vision->attentionMask == VisionAttentionMask::Bidirectional);
    }

    void validationLossMatchesAnIndependentComputation()
    {
        const std::string root = m_dir.path().toStdString();
        TrainOptions o = vora::testing::tinyTrainOptions();
        o.dataFiles = {vora::testing::writeTrainingDataSet(root)};
        o.valDataFiles = {writeTexturedDataSet(root)};
        o.imageRoot = root;
        o.batchSize = 2;
        o.maxSteps = 5;
        o.valEvery = 2;
        o.outDir = root + "/validated";
        TrainResult withValidation;
        const std::vector<json> lines = collectLines(o, &withValidation);

        const std::vector<json> validations = eventsNamed(lines, "validation");
        QCOMPARE(validations.size(), size_t(3)); // steps 2, 4 and the end
        QCOMPARE(validations[0].at("step").get<int>(), 2);
        QCOMPARE(validations[1].at("step").get<int>(), 4);
        QCOMPARE(validations[2].at("step").get<int>(), 5);
        for (const json& line : lines) {
            QVERIFY(line.at("time").get<double>() > 1.6e9);
        }
        const json last = validations.back();
        QCOMPARE(last.at("val_samples").get<int>(), 3);

        // The final checkpoint records it.
        const json state = readJson(resolveCheckpointDir(o.outDir) + "/state.json");
        const double saved = state.at("validation").at("val_loss").get<double>();
        const double emitted = last.at("val_loss").get<double>();
        QVERIFY(std::memcmp(&saved, &emitted, sizeof saved) == 0);

        // The same loss from the checkpoint's weights on the inference path.
        auto model = TrainableModel::create(o);
        model->loadState(readCheckpoint(resolveCheckpointDir(o.outDir), c10::Device(c10::kCPU)).trainable, true, o.outDir);
        const auto tokenizer = core::Tokenizer::load(o.modelDir);
        const std::vector<TrainingSample> samples = buildSampleSet(o.valDataFiles, *tokenizer, {{root}, o.maxTextLen, false, "validation"});
        core::PreprocessConfig pre;
        pre.imageSize = o.imageSize;
        pre.patchSize = o.patchSize;
        const double independent = independentLoss(model->model(), samples, pre);
        QVERIFY2(std::abs(independent - emitted) < 1e-5 * std::max(1.0, independent),
                 (std::to_string(independent) + " vs " + std::to_string(emitted)).c_str());

        // Validation changes nothing of the training itself.
        o.valDataFiles.clear();
        o.valEvery = 0;
        o.outDir = root + "/unvalidated";
        const TrainResult without = runTraining(o, nullptr, {});
        QCOMPARE(without.losses.size(), withValidation.losses.size());
        QVERIFY(std::memcmp(without.losses.data(), withValidation.losses.data(), without.losses.size() * sizeof(double)) == 0);
    }

    // --val-share: a seeded share of the data is validation and the rest trains; both keep the files' order.
    void valShareHoldsOutASeededShareOfTheData()
    {
        std::vector<TrainingSample> samples(20);
        for (size_t i = 0; i < samples.size(); ++i) {
            samples[i].ids = {static_cast<int64_t>(i)};
        }
        const auto idsOf = [](const std::vector<TrainingSample>& part) {
            std::vector<int64_t> ids;
            for (const TrainingSample& s : part) {
                ids.push_back(s.ids.at(0));
            }
            return ids;
        };
        const HeldOutSplit split = holdOutShare(samples, 0.25, 7);
        QCOMPARE(split.validation.size(), size_t(5));
        QCOMPARE(split.training.size(), size_t(15));
        std::vector<int64_t> all = idsOf(split.training);
        const std::vector<int64_t> held = idsOf(split.validation);
        QVERIFY(std::is_sorted(all.begin(), all.end()) && std::is_sorted(held.begin(), held.end()));
        all.insert(all.end(), held.begin(), held.end());
        std::sort(all.begin(), all.end());
        for (size_t i = 0; i < all.size(); ++i) {
            QCOMPARE(all[i], static_cast<int64_t>(i)); // disjoint, and together every sample once
        }
        QCOMPARE(idsOf(holdOutShare(samples, 0.25, 7).validation), held); // the same seed, the same share
        bool otherSeedDiffers = false;
        for (uint64_t seed = 8; seed < 12; ++seed) {
            otherSeedDiffers |= idsOf(holdOutShare(samples, 0.25, seed).validation) != held;
        }
        QVERIFY(otherSeedDiffers);
        QCOMPARE(holdOutShare(samples, 0.01, 7).validation.size(), size_t(1)); // at least one
        QVERIFY_THROWS_EXCEPTION(core::Error, holdOutShare(std::vector<TrainingSample>(1), 0.5, 7));

        // In a run: the start event counts both parts and validation runs on the held-out samples.
        const std::string root = m_dir.path().toStdString();
        TrainOptions o = vora::testing::tinyTrainOptions();
        o.dataFiles = {vora::testing::writeTrainingDataSet(root)};
        o.imageRoot = root;
        o.valShare = 0.5;
        o.maxSteps = 2;
        o.valEvery = 1;
        o.outDir = root + "/held-out";
        const std::vector<json> lines = collectLines(o, nullptr);
        const json start = eventsNamed(lines, "start").at(0);
        QCOMPARE(start.at("samples").get<int>() + start.at("val_samples").get<int>(), 4);
        QCOMPARE(start.at("val_samples").get<int>(), 2);
        const std::vector<json> validations = eventsNamed(lines, "validation");
        QCOMPARE(validations.size(), size_t(2));
        QCOMPARE(validations.back().at("val_samples").get<int>(), 2);
        QVERIFY(std::isfinite(validations.back().at("val_loss").get<double>()));
        o.valDataFiles = o.dataFiles;
        QVERIFY_THROWS_EXCEPTION(core::Error, validateTrainOptions(o)); // one or the other
    }

    // Machines without OpenCV train on pixel files (`vora preprocess` output): the same pixels give the
    // same run, bit for bit.
    void pixelFilesTrainLikeTheImagesTheyCameFrom()
    {
        const std::string root = m_dir.path().toStdString();
        TrainOptions o = vora::testing::tinyTrainOptions();
        o.dataFiles = {vora::testing::writeTrainingDataSet(root)};
        o.imageRoot = root;
        o.batchSize = 2;
        o.maxSteps = 2;
        o.outDir = root + "/from-images";
        const TrainResult fromImages = runTraining(o, nullptr, {});

        core::PreprocessConfig pre;
        pre.imageSize = o.imageSize;
        pre.patchSize = o.patchSize;
        std::string lines = readText(o.dataFiles[0]);
        for (const std::string colour : {"red", "blue", "green"}) {
            const core::PreprocessedImage image = core::loadModelImage(root + "/" + colour + ".bmp", pre);
            core::writeSafetensors(root + "/" + colour + ".safetensors",
                                   {{"pixel_values", "F32", {1, 3, image.height, image.width},
                                     {reinterpret_cast<const std::byte*>(image.pixels.data()), image.pixels.size() * sizeof(float)}}});
            const std::string from = "\"" + colour + ".bmp\"";
            lines.replace(lines.find(from), from.size(), "\"" + colour + ".safetensors\"");
        }
        QVERIFY(lines.find(".bmp") == std::string::npos);
        vora::testing::writeTextFile(root + "/pixels.jsonl", lines);
        o.dataFiles = {root + "/pixels.jsonl"};
        o.outDir = root + "/from-pixels";
        const TrainResult fromPixels = runTraining(o, nullptr, {});
        QCOMPARE(fromPixels.losses.size(), size_t(2));
        QVERIFY(std::memcmp(fromPixels.losses.data(), fromImages.losses.data(), 2 * sizeof(double)) == 0);
    }

    void keepCheckpointsLeavesTheNewest()
    {
        const std::string root = m_dir.path().toStdString();
        TrainOptions o = vora::testing::tinyTrainOptions();
        o.dataFiles = {vora::testing::writeTrainingDataSet(root)};
        o.imageRoot = root;
        o.maxSteps = 4;
        o.saveEvery = 1;
        o.keepCheckpoints = 2;
        o.outDir = root + "/kept";
        const std::vector<json> lines = collectLines(o);
        QCOMPARE(eventsNamed(lines, "checkpoint").size(), size_t(4));
        QCOMPARE(stepFolders(o.outDir), (QStringList{"step-00000003", "step-00000004"}));

        // What `latest` names survives even when it is not among the newest.
        vora::testing::writeTextFile(o.outDir + "/latest", "checkpoints/step-00000003\n");
        QCOMPARE(pruneCheckpoints(o.outDir, 1).size(), size_t(0));
        QCOMPARE(stepFolders(o.outDir), (QStringList{"step-00000003", "step-00000004"}));
        vora::testing::writeTextFile(o.outDir + "/latest", "checkpoints/step-00000004\n");
        QCOMPARE(pruneCheckpoints(o.outDir, 1).size(), size_t(1));
        QCOMPARE(stepFolders(o.outDir), QStringList{"step-00000004"});
    }

    // --init-from: every tensor of the earlier run lands bit for bit, the rest keeps the fresh initialisation
    // (compared with a model created from the same seed), and the run says so in its warm_start line.
    void warmStartLoadsAnEarlierRunsTensors()
    {
        const std::string root = m_dir.path().toStdString();
        TrainOptions first = vora::testing::tinyTrainOptions();
        first.dataFiles = {writeTexturedDataSet(root)};
        first.imageRoot = root;
        first.loraLayers = 1;
        first.maxSteps = 2;
        first.outDir = root + "/warm-first";
        runTraining(first, nullptr, {});
        const std::string checkpoint = resolveCheckpointDir(first.outDir);
        const auto earlier = loadTensorFile(checkpoint + "/trainable.safetensors", c10::Device(c10::kCPU));

        TrainOptions second = first;
        second.loraLayers = 2; // the second block's LoRA is new
        second.initFrom = first.outDir;
        second.outDir = root + "/warm-second";
        torch::manual_seed(second.seed);
        const auto fresh = TrainableModel::create(second);
        torch::manual_seed(second.seed);
        const auto warm = TrainableModel::create(second);
        const WarmStart report = warmStartFrom(*warm, second.initFrom);
        QCOMPARE(report.checkpointDir, checkpoint);
        QCOMPARE(report.loadedTensors, static_cast<int64_t>(earlier.size()));
        QCOMPARE(report.loadedTensors + report.freshTensors, static_cast<int64_t>(warm->params().size()));
        QVERIFY(report.freshTensors > 0 && report.loadedTensors > 0);
        int compared = 0;
        int trained = 0; // loaded tensors that differ from a fresh start (else the comparison proves nothing)
        for (size_t i = 0; i < warm->params().size(); ++i) {
            const TrainableParam& p = warm->params()[i];
            const auto found = earlier.find(p.name);
            trained += found != earlier.end() && !torch::equal(found->second, fresh->params()[i].master);
            const at::Tensor expected = (found != earlier.end() ? found->second : fresh->params()[i].master).contiguous();
            QVERIFY2(p.master.sizes() == expected.sizes() && p.master.scalar_type() == expected.scalar_type(), p.name.c_str());
            QVERIFY2(std::memcmp(p.master.data_ptr(), expected.data_ptr(), expected.nbytes()) == 0, p.name.c_str());
            ++compared;
        }
        QCOMPARE(compared, static_cast<int>(warm->params().size()));
        QVERIFY(trained > 0);

        const std::vector<json> lines = collectLines([&] { TrainOptions o = second; o.maxSteps = 1; return o; }());
        const std::vector<json> warmLines = eventsNamed(lines, "warm_start");
        QCOMPARE(warmLines.size(), size_t(1));
        QCOMPARE(warmLines[0].at("loaded_tensors").get<int64_t>(), report.loadedTensors);
        QCOMPARE(warmLines[0].at("fresh_tensors").get<int64_t>(), report.freshTensors);
        QCOMPARE(warmLines[0].at("path").get<std::string>(), checkpoint);
    }

    void warmStartRefusesWhatDoesNotFit_data()
    {
        QTest::addColumn<int>("rank");
        QTest::addColumn<double>("scale");
        QTest::addColumn<bool>("emptyFolder");
        QTest::addColumn<QString>("expected");
        QTest::newRow("another rank") << 8 << 1.0 << false << "has shape";
        QTest::newRow("another LoRA scale") << 4 << 2.0 << false << "its LoRA scale is 1, this run's 2";
        QTest::newRow("not a checkpoint") << 4 << 1.0 << true << "neither a checkpoint";
    }

    void warmStartRefusesWhatDoesNotFit()
    {
        QFETCH(int, rank);
        QFETCH(double, scale);
        QFETCH(bool, emptyFolder);
        QFETCH(QString, expected);
        const std::string root = m_dir.path().toStdString();
        TrainOptions first = vora::testing::tinyTrainOptions();
        first.dataFiles = {writeTexturedDataSet(root)};
        first.imageRoot = root;
        first.maxSteps = 1;
        first.outDir = root + "/refused-first";
        if (!QFileInfo::exists(QString::fromStdString(first.outDir + "/latest"))) {
            runTraining(first, nullptr, {});
        }
        TrainOptions second = first;
        second.loraRank = rank;
        second.loraScale = scale;
        second.initFrom = emptyFolder ? root : first.outDir;
        const auto model = TrainableModel::create(second);
        try {
            warmStartFrom(*model, second.initFrom);
            QFAIL("accepted");
        } catch (const core::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(expected), e.what());
        }
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestTrainingRuns)
#include "test_training_runs.moc"
