// The decode floor's byte count against the tensors the reference script stored (tests/data/tiny_models):
// every decoder tensor, the embedding table once when tied and one row otherwise, no vision embedding.
// Also the SmolLM2-135M shape, whose published parameter count (134,515,008, tied) the formula must give,
// and the bandwidth measurement's sanity on the CPU.
#include "core/error.h"
#include "core/model/model_config.h"
#include "core/runtime/decode_floor.h"
#include "core/safetensors/checkpoint_files.h"

#include <QTest>

#include <cmath>

using namespace vora::core;

class TestDecodeFloor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void weightBytesMatchStoredTensors_data()
    {
        QTest::addColumn<QString>("model");
        for (const char* model : {"qwen2_text", "llama_text", "llama_vora_tied"}) {
            QTest::newRow(model) << QString(model);
        }
    }

    void weightBytesMatchStoredTensors()
    {
        QFETCH(QString, model);
        const std::string dir = VORA_TEST_DATA_DIR "/tiny_models/" + model.toStdString();
        const ModelConfig config = loadModelConfig(dir);
        const CheckpointFiles files = CheckpointFiles::open(dir);
        int64_t elements = 0;
        int64_t embedding = 0;
        int counted = 0;
        for (const std::string& name : files.names()) {
            if (name.rfind("vision_embedding.", 0) == 0 || name.rfind("aux_vision.", 0) == 0) {
                continue;
            }
            int64_t n = 1;
            for (const int64_t d : files.find(name)->info->shape) {
                n *= d;
            }
            if (name.find("embed_tokens") != std::string::npos) {
                embedding = n;
            }
            elements += n;
            ++counted;
        }
        QVERIFY(embedding > 0);
        if (!config.tieWordEmbeddings) {
            elements += config.hiddenSize - embedding; // a decode step reads one row of an untied table
        }
        QCOMPARE(decodeWeightBytes(config, 4), elements * 4);
        QCOMPARE(decodeWeightBytes(config, 2), elements * 2);
        QVERIFY2(counted > 4 * config.numLayers, "the checkpoint's decoder tensors were read");
    }

    void smollm2ShapeGivesItsPublishedSize()
    {
        ModelConfig config;
        config.vocabSize = 49152;
        config.hiddenSize = 576;
        config.intermediateSize = 1536;
        config.numLayers = 30;
        config.numHeads = 9;
        config.numKeyValueHeads = 3;
        config.headDim = 64;
        config.tieWordEmbeddings = true;
        QCOMPARE(decodeWeightBytes(config, 1), int64_t(134515008));
        // Keys and values: 2 x 30 layers x 3 heads x 64 x positions x 2 bytes.
        QCOMPARE(kvCacheReadBytes(config, 300, 2), int64_t(2) * 30 * 3 * 64 * 300 * 2);
        const DecodeFloor floor = decodeFloor(config, 4, 300, 10e9);
        QCOMPARE(floor.weightBytes, int64_t(134515008) * 4);
        QVERIFY(std::abs(floor.tokensPerSecond - 10e9 / double(floor.weightBytes + floor.kvBytes)) < 1e-9);
    }

    void bandwidthIsMeasured()
    {
        const double bytesPerSecond = measureReadBandwidth(c10::Device(c10::kCPU), 64 << 20, 2);
        QVERIFY2(bytesPerSecond > 1e8 && bytesPerSecond < 1e13, qPrintable(QString::number(bytesPerSecond)));
        QVERIFY_THROWS_EXCEPTION(vora::core::Error, measureReadBandwidth(c10::Device(c10::kCPU), 1024, 1));
    }
};

QTEST_GUILESS_MAIN(TestDecodeFloor)
#include "test_decode_floor.moc"
