// The GGUF reader on valid, broken and hostile files: every refusal is a typed Error naming the
// file and the field or tensor, nothing is allocated from an unchecked count, and every file the
// reader accepts can have each of its tensors read and dequantised (a seeded mutation sweep).
#include "core/error.h"
#include "core/gguf/gguf_dequantize.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_model_layout.h"
#include "core/gguf/gguf_tokenizer_export.h"
#include "gguf_test_builder.h"

#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <fstream>
#include <random>
#include <sstream>

using namespace vora::core;
using namespace gguf_test;

namespace {

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string testFile(const std::string& name)
{
    return std::string(VORA_TEST_DATA_DIR) + "/gguf/" + name;
}

std::shared_ptr<GgufFile> parseBytes(const std::string& bytes, const std::string& name = "hostile.gguf")
{
    return GgufFile::parse(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), name);
}

struct Refusal {
    bool refused = false;
    ErrorCode code = ErrorCode::Internal;
    std::string message;
};

Refusal refusalOf(const std::string& bytes)
{
    Refusal r;
    try {
        parseBytes(bytes);
    } catch (const Error& e) {
        r = {true, e.code(), e.what()};
    }
    return r;
}

// Reads every tensor of an accepted file: dequantised when the type allows, else every byte
// (so a sanitizer sees each byte the reader promised is there). Returns the tensors read.
size_t readEveryTensor(const GgufFile& file)
{
    size_t read = 0;
    volatile uint64_t checksum = 0;
    for (const GgufTensorInfo& info : file.tensors()) {
        if (canDequantize(info.type)) {
            read += dequantizeTensor(file, info).size() == info.elementCount() ? 1 : 0;
            continue;
        }
        for (const uint8_t byte : file.tensorData(info)) {
            checksum = checksum + byte;
        }
        read += file.tensorData(info).size() == info.bytes ? 1 : 0;
    }
    return read;
}

} // namespace

Q_DECLARE_METATYPE(FileSpec)

class TestGgufReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsAValidFile()
    {
        const auto file = GgufFile::open(testFile("tiny_llama.gguf"));
        QCOMPARE(file->version(), 3u);
        QCOMPARE(file->string("general.architecture"), std::optional<std::string>("llama"));
        QCOMPARE(file->unsignedInteger("llama.block_count"), std::optional<uint64_t>(2));
        QCOMPARE(file->tensors().size(), size_t(21));
        QVERIFY(file->stringArray("tokenizer.ggml.tokens")->size() > 256);
        QCOMPARE(file->dataOffset() % file->alignment(), uint64_t(0));
        const GgufTensorInfo* q = file->findTensor("blk.0.attn_q.weight");
        QVERIFY(q != nullptr);
        QCOMPARE(q->type, GgmlType::Q4_0);
        QCOMPARE(q->shape(), (std::vector<int64_t>{256, 256}));
        QCOMPARE(readEveryTensor(*file), file->tensors().size());
        // A metadata key of the wrong type is refused naming the key.
        try {
            (void)file->string("llama.block_count");
            QFAIL("a uint32 read as a string");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("llama.block_count") != std::string::npos);
        }
    }

    void customAlignmentAndVersion2()
    {
        const auto qwen2 = GgufFile::open(testFile("tiny_qwen2.gguf"));
        QCOMPARE(qwen2->alignment(), uint64_t(64));
        QCOMPARE(qwen2->dataOffset() % 64, uint64_t(0));
        // Version 2 has the same layout as 3 (64-bit counts); version 1 (32-bit counts) is refused.
        std::string bytes = readBytes(testFile("tiny_qwen2.gguf"));
        bytes[4] = 2;
        const auto v2 = parseBytes(bytes);
        QCOMPARE(v2->version(), 2u);
        QCOMPARE(v2->tensors().size(), qwen2->tensors().size());
        QCOMPARE(v2->metadata().size(), qwen2->metadata().size());
    }

    void refusesHostileFiles_data()
    {
        QTest::addColumn<FileSpec>("spec");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");
        const auto corrupt = static_cast<int>(ErrorCode::CorruptFile);
        const auto unsupported = static_cast<int>(ErrorCode::UnsupportedFormat);
        const auto row = [&](const char* name, FileSpec spec, int code, const char* mentions) {
            QTest::newRow(name) << spec << code << QString::fromUtf8(mentions);
        };
        FileSpec s;
        row("valid control", s, -1, "");
        s = {}; s.magic = 0x46554746; row("wrong magic", s, corrupt, "magic");
        s = {}; s.version = 1; row("version 1", s, unsupported, "version 1");
        s = {}; s.version = 4; row("version 4", s, unsupported, "version 4");
        s = {}; s.version = 0x03000000; row("big-endian", s, unsupported, "big-endian");
        s = {}; s.tensorCount = 1ull << 60; row("huge tensor count", s, corrupt, "tensor count");
        s = {}; s.kvCount = 1ull << 60; row("huge metadata count", s, corrupt, "metadata count");
        s = {}; s.kvCount = 3; row("metadata count past the entries", s, corrupt, "");
        s = {}; s.tensorCount = 3; row("tensor count past the entries", s, corrupt, "tensor #2");
        s = {}; s.kvs[0] = kvString("general.architecture", "llama", 1ull << 50);
        row("string length over the limit", s, corrupt, "general.architecture: length");
        s = {}; s.kvs[0] = kvString("general.architecture", "llama", 4000);
        row("string length beyond the file", s, corrupt, "general.architecture: needs 4000 bytes");
        s = {}; s.kvs[0] = "\xff\xff\xff\xff\xff\xff\xff\x7f" + s.kvs[0].substr(8);
        row("key length huge", s, corrupt, "metadata key #0");
        s = {}; s.kvs.push_back(kvRaw("x.bad_type", 13, "abcd")); row("unknown value type", s, corrupt, "x.bad_type");
        s = {}; s.kvs.push_back(kvRaw("x.flag", kTypeBool, "\x07")); row("bool not 0 or 1", s, corrupt, "x.flag");
        s = {}; s.kvs.push_back(kvArray("x.array", 4, 1ull << 62, "")); row("array count huge", s, corrupt, "x.array");
        s = {}; s.kvs.push_back(kvArray("x.strings", kTypeString, 1ull << 40, ""));
        row("string array count huge", s, corrupt, "x.strings");
        s = {}; s.kvs.push_back(kvArray("x.array", 77, 1, "abcd")); row("unknown element type", s, corrupt, "x.array");
        {
            std::string inner; // array of arrays of arrays
            putU32(inner, kTypeArray);
            putU64(inner, 1);
            putU32(inner, kTypeU8);
            putU64(inner, 0);
            s = {}; s.kvs.push_back(kvArray("x.nested", kTypeArray, 1, inner));
            row("arrays nested too deep", s, corrupt, "x.nested[0]");
        }
        s = {}; s.kvs.push_back(kvU32("general.alignment", 64)); row("duplicate key", s, corrupt, "duplicate metadata key");
        s = {}; s.kvs[1] = kvU32("general.alignment", 48); row("alignment not a power of two", s, corrupt, "general.alignment");
        s = {}; s.kvs[1] = kvU32("general.alignment", 0); row("alignment zero", s, corrupt, "general.alignment");
        s = {}; s.kvs[1] = kvString("general.alignment", "32"); row("alignment a string", s, corrupt, "general.alignment");
        s = {}; s.tensors[0].nDims = 5; row("n_dims 5", s, corrupt, "n_dims 5");
        s = {}; s.tensors[0].nDims = 0; s.tensors[0].dims.clear(); row("n_dims 0", s, corrupt, "n_dims 0");
        s = {}; s.tensors[0].dims = {8, 1ull << 40, 1ull << 40}; row("dims overflow", s, corrupt, "tensor a: dimensions overflow");
        s = {}; s.tensors[0].dims = {8, 1ull << 62}; row("dims overflow alone", s, corrupt, "tensor a: dimensions overflow");
        s = {}; s.tensors[1].dims = {48}; row("row not whole blocks", s, corrupt, "tensor b: row length 48");
        s = {}; s.tensors[0].type = 99; row("unknown tensor type", s, unsupported, "tensor a: unknown tensor type 99");
        s = {}; s.tensors[1].offset = 80; row("offset not aligned", s, corrupt, "tensor b: offset 80");
        s = {}; s.tensors[1].offset = 1ull << 40; row("offset past the end", s, corrupt, "tensor b");
        s = {}; s.tensors[1].offset = 0xFFFFFFFFFFFFFFE0ull; row("offset near 2^64", s, corrupt, "tensor b");
        s = {}; s.tensors[0].dims = {8, 100}; row("size past the end", s, corrupt, "tensor a");
        s = {}; s.tensors[1].offset = 32; row("overlapping tensors", s, corrupt, "overlap");
        s = {}; s.tensors[1].name = "a"; row("duplicate tensor names", s, corrupt, "duplicate tensor name");
        s = {}; s.tensors[1].name = ""; row("empty tensor name", s, corrupt, "tensor #1 name");
        s = {}; s.tensors[1].name = std::string(2000, 'x'); row("tensor name too long", s, corrupt, "tensor #1 name");
        s = {}; s.dataBytes = 0; row("data section missing", s, corrupt, "past the end");
    }

    void refusesHostileFiles()
    {
        QFETCH(FileSpec, spec);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        const Refusal r = refusalOf(build(spec));
        if (code < 0) {
            QVERIFY2(!r.refused, r.message.c_str());
            QCOMPARE(readEveryTensor(*parseBytes(build(spec))), spec.tensors.size());
            return;
        }
        QVERIFY2(r.refused, "accepted");
        QCOMPARE(static_cast<int>(r.code), code);
        QVERIFY2(r.message.rfind("hostile.gguf: ", 0) == 0, r.message.c_str());
        QVERIFY2(r.message.find(mentions.toStdString()) != std::string::npos, r.message.c_str());
    }

    void refusesEveryTruncation()
    {
        const std::string bytes = readBytes(testFile("tiny_types.gguf"));
        const auto whole = parseBytes(bytes);
        uint64_t end = 0;
        for (const auto& info : whole->tensors()) {
            end = std::max(end, whole->dataOffset() + info.offset + info.bytes);
        }
        int refused = 0;
        int accepted = 0;
        for (size_t size = 0; size < bytes.size(); size += size < whole->dataOffset() ? 1 : 61) {
            const Refusal r = refusalOf(bytes.substr(0, size));
            if (size < end) {
                QVERIFY2(r.refused && r.code == ErrorCode::CorruptFile, qPrintable(QString::number(size)));
                ++refused;
            } else {
                QVERIFY(!r.refused);
                ++accepted;
            }
        }
        QVERIFY(refused > static_cast<int>(whole->dataOffset()));
        QVERIFY(accepted <= 1); // only padding after the last tensor may go
    }

    void refusesWhatIsNotAFile()
    {
        QTemporaryDir dir;
        const std::string fifo = dir.filePath("model.gguf").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        ErrorCode code = ErrorCode::Internal;
        try {
            GgufFile::open(fifo); // must not block waiting for a writer
        } catch (const Error& e) {
            code = e.code();
        }
        QCOMPARE(code, ErrorCode::CorruptFile);
        try {
            GgufFile::open(dir.filePath("absent.gguf").toStdString());
        } catch (const Error& e) {
            code = e.code();
        }
        QCOMPARE(code, ErrorCode::FileNotFound);
    }

    void acceptedMutantsAreFullyReadable()
    {
        // Seeded random damage to real files. Whatever is accepted must be safe to read in full;
        // the importer's planning and tokenizer export must accept or refuse with a typed Error too.
        std::mt19937_64 rng(20261128);
        int accepted = 0;
        int refused = 0;
        size_t tensorsRead = 0;
        const std::pair<const char*, int> files[] = {
            {"tiny_types.gguf", 600}, {"tiny_llama.gguf", 600}, {"tiny_qwen2.gguf", 600}, {"tiny_spm_tokenizer.gguf", 30}};
        for (const auto& [name, rounds] : files) {
            const std::string original = readBytes(testFile(name));
            const uint64_t header = parseBytes(original)->dataOffset();
            for (int round = 0; round < rounds; ++round) {
                std::string bytes = original;
                const int edits = 1 + static_cast<int>(rng() % 4);
                for (int e = 0; e < edits && !bytes.empty(); ++e) {
                    // Mostly in the header, sometimes anywhere (within what earlier edits left).
                    const size_t at = rng() % (rng() % 4 == 0 ? bytes.size() : std::min<size_t>(header, bytes.size()));
                    switch (rng() % 5) {
                    case 0: bytes[at] = static_cast<char>(rng()); break;
                    case 1: bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8))); break;
                    case 2: // a plausible-looking small or huge count
                        for (int i = 0; i < 8 && at + i < bytes.size(); ++i) {
                            bytes[at + i] = static_cast<char>(i == 0 ? rng() % 64 : (rng() % 3 == 0 ? 0xFF : 0));
                        }
                        break;
                    case 3: bytes.erase(at, 1 + rng() % 16); break;
                    default: bytes.resize(at); break;
                    }
                }
                std::shared_ptr<GgufFile> file;
                try {
                    file = parseBytes(bytes, name);
                } catch (const Error&) {
                    ++refused;
                    continue;
                }
                ++accepted;
                tensorsRead += readEveryTensor(*file);
                try {
                    planGgufModel(*file);
                } catch (const Error&) {
                }
                try {
                    exportGgufTokenizer(*file, 1 << 20, 4096);
                } catch (const Error&) {
                }
            }
        }
        qInfo("mutants: %d accepted (%zu tensors read), %d refused", accepted, tensorsRead, refused);
        QVERIFY(accepted >= 100);
        QVERIFY(refused >= 100);
        QVERIFY(tensorsRead >= 1000);
    }
};

QTEST_GUILESS_MAIN(TestGgufReader)
#include "test_gguf_reader.moc"
