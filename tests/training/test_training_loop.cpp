// Training on the tiny Qwen2 base: gradients against the PyTorch reference (training_reference.py),
// loss falling, bit-exact resume, Python-readable checkpoints, the merged folder against an independent
// forward of base + checkpoint.
#include "core/generation/attention_mask.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/checkpoint_files.h"
#include "training/batch_collator.h"
#include "training/checkpoint_store.h"
#include "training/distillation.h"
#include "training/lora_merge.h"
#include "training/trainable_model.h"
#include "training/trainer.h"
#include "training/training_step.h"
#include "inference_logits.h"
#include "tiny_options.h"
#include "training_fixtures.h"

#include <QProcess>
#include <bit>
#include <cstring>
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

using namespace vora;
using namespace vora::training;

namespace {

const std::string kData = VORA_TEST_DATA_DIR "/training";

TrainOptions tinyOptions() { return vora::testing::tinyTrainOptions(); }

double relativeError(const at::Tensor& a, const at::Tensor& b)
{
    return ((a - b).abs().max() / (b.abs().max() + 1e-12)).item<double>();
}

} // namespace

class TestTrainingLoop : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gradientsMatchReference_data()
    {
        QTest::addColumn<bool>("checkpointing");
        QTest::newRow("plain") << false;
        QTest::newRow("gradient checkpointing") << true;
    }

    void gradientsMatchReference()
    {
        QFETCH(bool, checkpointing);
        const auto fixture = loadTensorFile(kData + "/gradients.safetensors", c10::Device(c10::kCPU));
        TrainOptions options = tinyOptions();
        options.modelDir = VORA_TEST_DATA_DIR "/tiny_models/qwen2_text"; // what training_reference.py used
        auto model = TrainableModel::create(options);
        Distiller distiller(kData + "/teacher", *model);
        std::map<std::string, at::Tensor> init;
        for (const auto& [name, tensor] : fixture) {
            if (name.rfind("init/", 0) == 0) {
                init[name.substr(5)] = tensor;
            }
        }
        QCOMPARE(init.size(), model->params().size());
        model->loadState(init, true, "reference init");

        Batch batch;
        batch.ids = fixture.at("ids");
        batch.labels = fixture.at("labels");
        batch.isImage = fixture.at("is_image").to(torch::kBool);
        batch.pixels = fixture.at("pixels");
        std::vector<at::Tensor> masks;
        for (int64_t r = 0; r < batch.ids.size(0); ++r) {
            const at::Tensor flags = batch.isImage[r].to(torch::kByte).contiguous();
            std::vector<uint8_t> f(flags.data_ptr<uint8_t>(), flags.data_ptr<uint8_t>() + flags.numel());
            masks.push_back(core::allowedMatrix(f, 0, core::VisionAttentionMask::Bidirectional));
        }
        batch.mask.mask = torch::stack(masks).unsqueeze(1);
        batch.supervised = batch.labels.narrow(1, 1, batch.labels.size(1) - 1).ne(kIgnoreLabel).sum().item<int64_t>();

        const StepLosses losses = computeLosses(*model, batch, &distiller, checkpointing);
        losses.total.backward();
        QVERIFY(std::abs(losses.total.item<double>() - fixture.at("loss").item<double>()) < 1e-5);
        QVERIFY(std::abs(losses.lm.item<double>() - fixture.at("lm_loss").item<double>()) < 1e-5);
        QCOMPARE(losses.aux.size(), size_t(3));
        for (size_t k = 0; k < losses.aux.size(); ++k) {
            QVERIFY(std::abs(losses.aux[k].item<double>() - fixture.at("aux_loss_" + std::to_string(k)).item<double>()) < 1e-5);
        }
        // Tolerance: float32 with different summation orders (SDPA vs eager softmax): 1e-4 relative to the
        // tensor's largest gradient.
        for (const TrainableParam& p : model->params()) {
            QVERIFY2(p.master.grad().defined(), p.name.c_str());
            const double error = relativeError(p.master.grad(), fixture.at("grad/" + p.name));
            QVERIFY2(error < 1e-4, (p.name + " relative error " + std::to_string(error)).c_str());
        }
    }

    void lossFallsAndResumeIsExact()
    {
        QTemporaryDir dir;
        TrainOptions o = tinyOptions();
        o.dataFiles = {vora::testing::writeTrainingDataSet(dir.path().toStdString())};
        o.imageRoot = dir.path().toStdString();
        o.batchSize = 2;
        o.maxSteps = 6;
        o.outDir = (dir.path() + "/a").toStdString();
        const TrainResult a = runTraining(o, nullptr, {});
        QCOMPARE(a.losses.size(), size_t(6));

        std::atomic<bool> stop{false};
        o.outDir = (dir.path() + "/b").toStdString();
        const TrainResult b1 = runTraining(o, &stop, [&](const std::string& line) {
            if (line.find("\"step\":3,") != std::string::npos && line.find("\"loss\"") != std::string::npos) {
                stop = true;
            }
        });
        QVERIFY(b1.stopped);
        QCOMPARE(b1.finalStep, int64_t(3));
        o.resume = true;
        const TrainResult b2 = runTraining(o, nullptr, {});
        QCOMPARE(b2.startStep, int64_t(3));
        std::vector<double> joined = b1.losses;
        joined.insert(joined.end(), b2.losses.begin(), b2.losses.end());
        QCOMPARE(joined.size(), a.losses.size());
        for (size_t i = 0; i < joined.size(); ++i) { // bit-identical on CPU: the bits, not a fuzzy compare
            QVERIFY2(std::bit_cast<uint64_t>(joined[i]) == std::bit_cast<uint64_t>(a.losses[i]),
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(joined[i], 0, 'g', 17).arg(a.losses[i], 0, 'g', 17)));
        }

        // Loss falls with more steps on the same tiny set.
        o.resume = false;
        o.maxSteps = 30;
        o.outDir = (dir.path() + "/long").toStdString();
        const TrainResult longer = runTraining(o, nullptr, {});
        const double first = (longer.losses[0] + longer.losses[1]) / 2;
        const double last = (longer.losses[28] + longer.losses[29]) / 2;
        QVERIFY2(last < 0.5 * first, (std::to_string(first) + " -> " + std::to_string(last)).c_str());

        // The checkpoint is readable by Python's safetensors with the official key names.
        const std::string ckpt = resolveCheckpointDir(o.outDir);
        QProcess python;
        python.start("python3", {"-c", "import sys; from safetensors.numpy import load_file; "
                                       "t = load_file(sys.argv[1]); "
                                       "print(t['llm.model.layers.1.mlp.down_proj.lora_B.weight'].shape, "
                                       "t['vision_embedding.pos_embed'].shape, len(t))",
                                 QString::fromStdString(ckpt + "/trainable.safetensors")});
        QVERIFY(python.waitForFinished(60000));
        QCOMPARE(python.exitCode(), 0);
        QCOMPARE(python.readAllStandardOutput().trimmed(), QByteArray("(64, 4) (1, 16, 32) 33"));

        // Merge: the written folder, loaded as any model is, gives the logits of base + checkpoint run
        // unmerged, on a prompt with an image. The oracle is computed here, not by the merge's own probe.
        MergeOptions merge;
        merge.modelDir = o.modelDir;
        merge.checkpoint = o.outDir;
        merge.outDir = (dir.path() + "/merged").toStdString();
        merge.dtype = "float32";
        merge.probe = false;
        const MergeReport report = mergeCheckpoint(merge);
        QCOMPARE(report.mergedLinears, 14);
        QVERIFY(QFile::exists(dir.path() + "/merged/tokenizer.json"));

        core::ModelLoadOptions load;
        load.dtype = "float32";
        const auto merged = core::VoraModel::load(merge.outDir, load);
        auto unmerged = TrainableModel::create(o);
        unmerged->loadState(readCheckpoint(ckpt, c10::Device(c10::kCPU)).trainable, true, ckpt);
        auto untrained = TrainableModel::create(o); // fresh LoRA (B = 0) and vision embedding
        core::PreprocessConfig pre;
        pre.imageSize = o.imageSize;
        pre.patchSize = o.patchSize;
        const std::vector<int64_t> ids = {3, 5, core::kImageTokenSentinel, 7, 11, 13, 17, 19, 23};
        const std::vector<std::string> image = {dir.path().toStdString() + "/blue.bmp"};
        const at::Tensor expected = vora::testing::inferenceLogits(unmerged->model(), ids, image, pre).logits;
        const at::Tensor actual = vora::testing::inferenceLogits(*merged, ids, image, pre).logits;
        const at::Tensor before = vora::testing::inferenceLogits(untrained->model(), ids, image, pre).logits;
        // float32, W + B A summed once vs x W + (x A) B: ~1e-6 of the logits' scale.
        const double scale = expected.abs().max().item<double>();
        const double diff = (actual - expected).abs().max().item<double>();
        QVERIFY2(diff < 1e-5 * std::max(1.0, scale), (std::to_string(diff) + " of " + std::to_string(scale)).c_str());
        // The comparison can fail: training moved the logits far more than the tolerance.
        QVERIFY((expected - before).abs().max().item<double>() > 1e3 * diff + 1e-3);

        // Streaming: with 64 KB shards the merge writes many shards (one made at a time) holding the same
        // tensors, bit for bit, as the single-shard merge.
        MergeOptions sharded = merge;
        sharded.outDir = (dir.path() + "/sharded").toStdString();
        sharded.shardBytes = 64 << 10;
        const MergeReport shardedReport = mergeCheckpoint(sharded);
        QVERIFY2(shardedReport.shards >= 4, qPrintable(QString::number(shardedReport.shards)));
        QCOMPARE(report.shards, 1);
        QCOMPARE(shardedReport.tensors, report.tensors);
        const core::CheckpointFiles one = core::CheckpointFiles::open(merge.outDir);
        const core::CheckpointFiles many = core::CheckpointFiles::open(sharded.outDir);
        QCOMPARE(int64_t(many.names().size()), report.tensors);
        QCOMPARE(many.names(), one.names());
        for (const std::string& name : one.names()) {
            const at::Tensor x = core::readTensor(*one.find(name), c10::Device(c10::kCPU), at::kFloat);
            const at::Tensor y = core::readTensor(*many.find(name), c10::Device(c10::kCPU), at::kFloat);
            QVERIFY2(x.sizes() == y.sizes() && std::memcmp(x.data_ptr(), y.data_ptr(), x.nbytes()) == 0, name.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainingLoop)
#include "test_training_loop.moc"
