// The plain-bytes safetensors writer: layout (header length, 8-byte aligned JSON, data offsets)
// and refusal of inconsistent input.
#include "core/error.h"
#include "core/safetensors/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>

using namespace vora::core;

namespace {

std::vector<char> readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const std::byte> asBytes(const auto& vector)
{
    return std::as_bytes(std::span(vector));
}

} // namespace

class TestSafetensorsWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesHeaderAndData()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("t.safetensors")).toStdString();
        const std::vector<float> a = {1.0f, -2.5f, 3.0f, 4.0f, 5.0f, 6.0f};
        const std::vector<int64_t> b = {7, 8};
        writeSafetensors(path, {{"a", "F32", {2, 3}, asBytes(a)}, {"b.ids", "I64", {2}, asBytes(b)}},
                         {{"format", "pt"}});
        const std::vector<char> file = readAll(path);
        uint64_t length = 0;
        std::memcpy(&length, file.data(), 8);
        QCOMPARE(length % 8, uint64_t(0));
        QCOMPARE(file.size(), size_t(8 + length + a.size() * 4 + b.size() * 8));
        const auto header = nlohmann::json::parse(std::string(file.data() + 8, length));
        QCOMPARE(header["__metadata__"]["format"].get<std::string>(), std::string("pt"));
        QCOMPARE(header["a"]["dtype"].get<std::string>(), std::string("F32"));
        QCOMPARE(header["a"]["shape"], nlohmann::json({2, 3}));
        QCOMPARE(header["a"]["data_offsets"], nlohmann::json({0, 24}));
        QCOMPARE(header["b.ids"]["data_offsets"], nlohmann::json({24, 40}));
        float second = 0.0f;
        std::memcpy(&second, file.data() + 8 + length + 4, 4);
        QCOMPARE(second, -2.5f);
        int64_t last = 0;
        std::memcpy(&last, file.data() + 8 + length + 32, 8);
        QCOMPARE(last, int64_t(8));
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".partial")));
    }

    void refusesInconsistentTensors()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("bad.safetensors")).toStdString();
        const std::vector<float> a = {1.0f, 2.0f, 3.0f};
        QVERIFY_THROWS_EXCEPTION(Error, writeSafetensors(path, {{"a", "F32", {2, 2}, asBytes(a)}}));
        QVERIFY_THROWS_EXCEPTION(Error, writeSafetensors(path, {{"a", "F31", {3}, asBytes(a)}}));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 writeSafetensors(path, {{"a", "F32", {3}, asBytes(a)}, {"a", "F32", {3}, asBytes(a)}}));
        QVERIFY_THROWS_EXCEPTION(Error, writeSafetensors("/nonexistent/dir/x.safetensors", {{"a", "F32", {3}, asBytes(a)}}));
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsWriter)
#include "test_safetensors_writer.moc"
