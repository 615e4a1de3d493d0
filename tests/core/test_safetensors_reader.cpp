// The safetensors reader and model loading against corrupt, truncated and hostile files: every
// case is a typed core::Error, never a crash, and a mutation sweep over random header edits.
#include "core/model/model_config.h"
#include "core/model/vora_model.h"
#include "core/safetensors/checkpoint_files.h"
#include "core/safetensors/safetensors_file.h"
#include "tensor_fixtures.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

using namespace vora::core;
namespace fs = std::filesystem;

namespace {

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The first 8 bytes (the header length) of a safetensors file, little-endian.
uint64_t littleEndian64(const std::string& bytes)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0 && bytes.size() >= 8; --i) {
        value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    }
    return value;
}

std::string withHeader(const std::string& header, const std::string& data)
{
    std::string out(8, '\0');
    uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) {
        out[static_cast<size_t>(i)] = static_cast<char>((length >> (8 * i)) & 0xff);
    }
    return out + header + data;
}

} // namespace

class TestSafetensorsReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsValidFiles()
    {
        const auto file = SafetensorsFile::open(tinyModelDir("qwen2_text") + "/model.safetensors");
        QVERIFY(file->contains("model.embed_tokens.weight"));
        QCOMPARE(file->info("model.embed_tokens.weight").shape, (std::vector<int64_t>{256, 64}));
        QCOMPARE(file->metadata().at("format"), std::string("pt"));
    }

    void hostileHeaders_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        const std::string eight(8, 'x');
        auto row = [](const char* name, const std::string& bytes, ErrorCode code) {
            QTest::newRow(name) << QByteArray::fromStdString(bytes) << int(code);
        };
        row("empty file", "", ErrorCode::CorruptFile);
        row("short length", "\x05\x00\x00", ErrorCode::CorruptFile);
        row("absurd length", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}", ErrorCode::CorruptFile);
        row("length past end", std::string("\x40\x00\x00\x00\x00\x00\x00\x00", 8) + "{}", ErrorCode::CorruptFile);
        row("not json", withHeader("{nope", ""), ErrorCode::CorruptFile);
        row("json array", withHeader("[1,2]", ""), ErrorCode::CorruptFile);
        row("unknown dtype", withHeader(R"({"t":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", "x"),
            ErrorCode::UnsupportedFormat);
        row("negative dim", withHeader(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "xxxx"),
            ErrorCode::CorruptFile);
        row("size mismatch", withHeader(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "xxxx"),
            ErrorCode::CorruptFile);
        row("offsets out of bounds", withHeader(R"({"t":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})", "xxxx"),
            ErrorCode::CorruptFile);
        row("reversed offsets", withHeader(R"({"t":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", "xxxx"),
            ErrorCode::CorruptFile);
        row("overlap", withHeader(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})", eight),
            ErrorCode::CorruptFile);
        row("overflowing shape",
            withHeader(R"({"t":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", eight),
            ErrorCode::CorruptFile);
        row("metadata not strings", withHeader(R"({"__metadata__":{"a":1}})", ""), ErrorCode::CorruptFile);
        row("missing offsets", withHeader(R"({"t":{"dtype":"U8","shape":[1]}})", "x"), ErrorCode::CorruptFile);
    }

    void hostileHeaders()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("bad.safetensors")).toStdString();
        writeBytes(path, bytes.toStdString());
        ErrorCode got{};
        QVERIFY(throwsCoreError([&] { SafetensorsFile::open(path); }, &got));
        QCOMPARE(int(got), code);
        try {
            SafetensorsFile::open(path);
        } catch (const Error& error) {
            QVERIFY2(std::string(error.what()).find(path) != std::string::npos, error.what()); // names the file
        }
    }

    void randomHeaderMutationsNeverCrash()
    {
        // 1,500 seeded edits of a real header: each open either throws core::Error or succeeds with
        // every tensor inside the file's data section (offsets are relative to it, after the 8-byte
        // length and the header) and readable: its bytes are where the header says, and it converts.
        // A crash or another exception type fails the test.
        const std::string original = readBytes(tinyModelDir("qwen2_text") + "/model.safetensors");
        const uint64_t headerLength = littleEndian64(original);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("m.safetensors")).toStdString();
        std::mt19937 random(2024);
        int accepted = 0;
        int rejected = 0;
        int tensorsRead = 0;
        for (int round = 0; round < 1500; ++round) {
            std::string bytes = original;
            const int edits = 1 + static_cast<int>(random() % 4);
            for (int e = 0; e < edits; ++e) {
                const size_t at = random() % std::min<size_t>(8 + headerLength, bytes.size());
                switch (random() % 4) {
                case 0: bytes[at] = static_cast<char>(random() & 0xff); break;
                case 1: bytes[at] = "0123456789[]{},:\""[random() % 17]; break;
                case 2: bytes.erase(at, 1 + random() % 3); break;
                default: bytes.resize(at + (random() % 64)); break; // truncation
                }
            }
            writeBytes(path, bytes);
            try {
                const auto file = SafetensorsFile::open(path);
                const uint64_t dataStart = 8 + littleEndian64(bytes);
                for (const auto& [name, info] : file->tensors()) {
                    const auto size = static_cast<uint64_t>(info.end - info.begin);
                    QVERIFY2(info.begin <= info.end && dataStart + static_cast<uint64_t>(info.end) <= bytes.size(),
                             qPrintable(QStringLiteral("round %1: %2").arg(round).arg(QString::fromStdString(info.describe()))));
                    QVERIFY(size == 0 || std::memcmp(file->data(info), bytes.data() + dataStart + info.begin, size) == 0);
                    const at::Tensor values = readTensor({file.get(), &info}, c10::Device(c10::kCPU), at::kDouble);
                    QCOMPARE(values.numel(), info.elementCount());
                    ++tensorsRead;
                }
                ++accepted;
            } catch (const Error&) {
                ++rejected;
            } catch (const std::exception& other) {
                QFAIL(qPrintable(QStringLiteral("round %1: not a core::Error: %2").arg(round).arg(QString::fromUtf8(other.what()))));
            } catch (...) {
                QFAIL(qPrintable(QStringLiteral("round %1: unknown exception").arg(round)));
            }
        }
        qInfo("mutations: %d accepted (%d tensors read), %d rejected with core::Error", accepted, tensorsRead, rejected);
        QVERIFY(rejected > 1000);
        QVERIFY(accepted > 10 && tensorsRead > 100); // the accepting path was exercised
    }

    void truncatedShardAndBrokenIndex()
    {
        QTemporaryDir dir;
        const fs::path model = fs::path(dir.path().toStdString()) / "m";
        fs::copy(tinyModelDir("qwen2_vora_unmerged"), model, fs::copy_options::recursive);
        fs::remove_all(model / "expected");
        const fs::path shard = model / "model-00002-of-00002.safetensors";
        const std::string bytes = readBytes(shard.string());
        writeBytes(shard.string(), bytes.substr(0, bytes.size() / 2));
        ErrorCode code{};
        QVERIFY(throwsCoreError([&] { CheckpointFiles::open(model.string()); }, &code));
        QCOMPARE(code, ErrorCode::CorruptFile);
        fs::remove(shard);
        QVERIFY(throwsCoreError([&] { CheckpointFiles::open(model.string()); }, &code));
        QCOMPARE(code, ErrorCode::FileNotFound);
        writeBytes((model / "model.safetensors.index.json").string(), R"({"weight_map": {"x": "../../etc/passwd"}})");
        QVERIFY(throwsCoreError([&] { CheckpointFiles::open(model.string()); }, &code));
        QCOMPARE(code, ErrorCode::CorruptFile);
    }

    void configAndWeightsMustAgree_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<int>("code");
        QTest::newRow("hidden size") << "hidden_size" << "96" << int(ErrorCode::ShapeMismatch);
        QTest::newRow("fewer layers") << "num_hidden_layers" << "2" << int(ErrorCode::InvalidConfig); // unexpected weights
        QTest::newRow("more layers") << "num_hidden_layers" << "4" << int(ErrorCode::MissingWeights);
        QTest::newRow("wrong type") << "vocab_size" << "\"many\"" << int(ErrorCode::InvalidConfig);
        QTest::newRow("unknown model") << "model_type" << "\"mamba\"" << int(ErrorCode::UnsupportedFormat);
        QTest::newRow("heads") << "num_key_value_heads" << "3" << int(ErrorCode::InvalidConfig);
        QTest::newRow("mask mode") << "vision_attention_mask" << "\"sideways\"" << int(ErrorCode::InvalidConfig);
    }

    void configAndWeightsMustAgree()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(int, code);
        QTemporaryDir dir;
        const fs::path model = fs::path(dir.path().toStdString()) / "m";
        fs::copy(tinyModelDir("qwen2_vora_merged"), model, fs::copy_options::recursive);
        auto config = nlohmann::json::parse(readBytes((model / "config.json").string()));
        config[field.toStdString()] = nlohmann::json::parse(value.toStdString());
        writeBytes((model / "config.json").string(), config.dump());
        ErrorCode got{};
        QVERIFY(throwsCoreError([&] { VoraModel::load(model.string()); }, &got));
        QCOMPARE(int(got), code);
    }

    void invalidConfigJson()
    {
        ErrorCode got{};
        QVERIFY(throwsCoreError([] { parseModelConfig("{\"model_type\": ", "config.json"); }, &got));
        QCOMPARE(got, ErrorCode::InvalidConfig);
        QVERIFY(throwsCoreError([] { parseModelConfig("{\"model_type\": \"qwen2\"}", "config.json"); }, &got));
        QCOMPARE(got, ErrorCode::InvalidConfig);
        QVERIFY(throwsCoreError([] { loadModelConfig("/definitely/not/a/model"); }, &got));
        QCOMPARE(got, ErrorCode::FileNotFound);
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsReader)
#include "test_safetensors_reader.moc"
