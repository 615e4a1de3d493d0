// Broken and hostile inputs that once got through `vora` silently, hung it, or reached users as a
// LibTorch backtrace: each must now end with a clear message naming the file, field or flag, and
// the documented exit code (1 runtime, 2 usage), quickly.
#include "cli_runner.h"
#include "core/safetensors/safetensors_file.h"
#include "tiny_model_writer.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <limits>

#include <sys/stat.h>

namespace {

// A message for a user: no C++ backtrace, no "unexpected error", a few lines at most (a usage error
// adds the command's usage after its one line).
void verifyPlainMessage(const CliResult& result)
{
    QVERIFY2(!result.err.contains("unexpected error"), result.err.constData());
    QVERIFY2(!result.err.contains("Exception raised from"), result.err.constData()); // LibTorch's backtrace header
    const QByteArray message = result.err.left(result.err.indexOf("\nusage: "));
    QVERIFY2(message.trimmed().count('\n') < 3, result.err.constData());
}

void setConfigField(const QString& model, const std::string& file, const std::string& key, const std::string& rawJson)
{
    const std::string path = model.toStdString() + "/" + file;
    nlohmann::json config = nlohmann::json::parse(std::ifstream(path));
    config[key] = nlohmann::json::parse(rawJson);
    std::ofstream(path) << config.dump(1);
}

// Overwrites the float32 tensor name in model.safetensors with value.
void fillTensor(const QString& model, const std::string& name, float value)
{
    const std::string path = model.toStdString() + "/model.safetensors";
    int64_t offset = 0;
    int64_t bytes = 0;
    {
        const auto file = vora::core::SafetensorsFile::open(path);
        const auto& info = file->info(name);
        std::ifstream in(path, std::ios::binary);
        uint64_t headerBytes = 0;
        in.read(reinterpret_cast<char*>(&headerBytes), 8);
        offset = 8 + static_cast<int64_t>(headerBytes) + info.begin;
        bytes = info.end - info.begin;
    }
    std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(offset);
    for (int64_t i = 0; i < bytes / 4; ++i) {
        out.write(reinterpret_cast<const char*>(&value), 4);
    }
}

} // namespace

class TestCliHostileInputs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_pristine = m_dir.filePath(QStringLiteral("pristine"));
        vora::testing::writeTinyQwenVoraModel(m_pristine.toStdString());
    }

    // config.json and generation_config.json values that used to be truncated or reach LibTorch.
    void configValuesOutOfRange_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        const auto row = [](const char* name, const char* file, const char* key, const char* value) {
            QTest::newRow(name) << QString::fromLatin1(file) << QString::fromLatin1(key) << QString::fromLatin1(value);
        };
        row("layers 2^32+3 (once loaded as 3)", "config.json", "num_hidden_layers", "4294967299");
        row("hidden size 64.5 (once loaded as 64)", "config.json", "hidden_size", "64.5");
        row("negative context (once a LibTorch backtrace)", "config.json", "max_position_embeddings", "-5");
        row("rope_theta 0 (once NaN logits, exit 0)", "config.json", "rope_theta", "0");
        row("rms_norm_eps -1 (once NaN logits, exit 0)", "config.json", "rms_norm_eps", "-1");
        row("vocabulary of 2^40", "config.json", "vocab_size", "1099511627776");
        row("max_new_tokens 2^32+1", "generation_config.json", "max_new_tokens", "4294967297");
        row("top_k a fraction", "generation_config.json", "top_k", "2.5");
    }

    void configValuesOutOfRange()
    {
        QFETCH(QString, file);
        QFETCH(QString, key);
        QFETCH(QString, value);
        const QString model = copyModel();
        setConfigField(model, file.toStdString(), key.toStdString(), value.toStdString());
        const CliResult result = runVora({"run", "--model", model, "--prompt", "hi", "--max-new-tokens", "2"});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(file.toUtf8()) && result.err.contains(key.toUtf8()), result.err.constData());
        verifyPlainMessage(result);
    }

    // NaN weights compute NaN logits: the run fails saying so instead of printing token 0.
    void nonFiniteLogitsFailTheRun()
    {
        const QString model = copyModel();
        fillTensor(model, "llm.model.norm.weight", std::numeric_limits<float>::quiet_NaN());
        const CliResult result = runVora({"run", "--model", model, "--prompt", "hi", "--max-new-tokens", "2"});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("non-finite logits"), result.err.constData());
        QVERIFY(result.out.trimmed().isEmpty());
        verifyPlainMessage(result);
    }

    void flagValuesOutOfRange_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("named");
        QTest::newRow("--max-new-tokens 2^32+1 (once 1 token)") << QStringList{"--max-new-tokens", "4294967297"} << "--max-new-tokens";
        QTest::newRow("--temperature nan") << QStringList{"--temperature", "nan"} << "--temperature";
        QTest::newRow("--temperature inf") << QStringList{"--temperature", "inf"} << "--temperature";
        QTest::newRow("--top-k 2^31") << QStringList{"--top-k", "2147483648"} << "--top-k";
        QTest::newRow("--repetition-penalty -nan") << QStringList{"--repetition-penalty", "-nan"} << "--repetition-penalty";
    }

    void flagValuesOutOfRange()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, named);
        const CliResult result = runVora(QStringList{"run", "--model", m_pristine, "--prompt", "hi"} + flags);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.startsWith("vora run: " + named.toUtf8()), result.err.constData());
        verifyPlainMessage(result);
    }

    // A FIFO in a model folder once blocked open() forever.
    void fifosAreRefusedNotWaitedOn_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("model.safetensors") << "model.safetensors";
        QTest::newRow("config.json") << "config.json";
        QTest::newRow("tokenizer.json") << "tokenizer.json";
        QTest::newRow("generation_config.json") << "generation_config.json";
    }

    void fifosAreRefusedNotWaitedOn()
    {
        QFETCH(QString, name);
        const QString model = copyModel();
        const QString path = model + QLatin1Char('/') + name;
        QVERIFY(QFile::remove(path));
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        QElapsedTimer clock;
        clock.start();
        const CliResult result = runVora({"run", "--model", model, "--prompt", "hi", "--max-new-tokens", "2"}, {}, 30000);
        QVERIFY2(result.exitCode == 1, result.err.constData());
        QVERIFY2(result.err.contains(QFile::encodeName(path) + ": not a regular file"), result.err.constData());
        QVERIFY(clock.elapsed() < 30000);
    }

    // Sizes bounded by what the input justifies.
    void tokenizerFilesAreReadWithinBounds()
    {
        const CliResult zero = runVora({"tokenize", "--tokenizer", "/dev/zero", "hello"}, {}, 30000);
        QCOMPARE(zero.exitCode, 1);
        QVERIFY2(zero.err.contains("/dev/zero: not a regular file"), zero.err.constData());

        // One id of 5e7 in a 100-byte vocabulary once sized a 1.7 GB table.
        const QString sparse = m_dir.filePath(QStringLiteral("sparse-ids.json"));
        std::ofstream(sparse.toStdString())
            << R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 50000000}, "merges": []}})";
        const CliResult ids = runVora({"tokenize", "--tokenizer", sparse, "ab"});
        QCOMPARE(ids.exitCode, 1);
        QVERIFY2(ids.err.contains("token id 50000000 is far beyond"), ids.err.constData());

        // A file larger than any tokenizer (sparse: no disk space used) is refused before reading.
        const QString huge = m_dir.filePath(QStringLiteral("huge/tokenizer.json"));
        QVERIFY(QDir().mkpath(QFileInfo(huge).absolutePath()));
        QFile file(huge);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(qint64(600) << 20));
        file.close();
        const CliResult big = runVora({"tokenize", "--tokenizer", huge, "ab"});
        QCOMPARE(big.exitCode, 1);
        QVERIFY2(big.err.contains("more than the"), big.err.constData());
    }

    // The prompt is checked against the context before anything is allocated for it.
    void benchChecksTheContextFirst()
    {
        QElapsedTimer clock;
        clock.start();
        const CliResult result = runVora({"bench", "--model", m_pristine, "--prompt-tokens", "1000000000000"}, {}, 30000);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("--prompt-tokens"), result.err.constData());
        const CliResult context = runVora({"bench", "--model", m_pristine, "--prompt-tokens", "5000"}, {}, 30000);
        QCOMPARE(context.exitCode, 2);
        QVERIFY2(context.err.contains("exceed the model's context of 4096"), context.err.constData());
        QVERIFY(clock.elapsed() < 30000);
        // The CUDA-only choices are checked on every device, before the model loads.
        const CliResult gemv = runVora({"bench", "--model", m_pristine, "--gemv", "fast"}, {}, 30000);
        QCOMPARE(gemv.exitCode, 2);
        QVERIFY2(gemv.err.contains("--gemv must be auto, vora or cublas"), gemv.err.constData());
        const CliResult overlap = runVora({"bench", "--model", m_pristine, "--launch-overlap", "maybe"}, {}, 30000);
        QCOMPARE(overlap.exitCode, 2);
        QVERIFY2(overlap.err.contains("--launch-overlap must be on or off"), overlap.err.constData());
        const CliResult prefill = runVora({"bench", "--model", m_pristine, "--prefill", "fast"}, {}, 30000);
        QCOMPARE(prefill.exitCode, 2);
        QVERIFY2(prefill.err.contains("--prefill must be kernels or eager"), prefill.err.constData());
        const CliResult runPrefill = runVora({"run", "--model", m_pristine, "--prompt", "hi", "--prefill", "fast"}, {}, 30000);
        QCOMPARE(runPrefill.exitCode, 2);
        QVERIFY2(runPrefill.err.contains("--prefill must be kernels or eager"), runPrefill.err.constData());
        const CliResult capture = runVora({"bench", "--model", m_pristine, "--capture-attention", "all"}, {}, 30000);
        QCOMPARE(capture.exitCode, 2);
        QVERIFY2(capture.err.contains("--capture-attention must be off, mean, layers or heads"), capture.err.constData());
    }

    // The largest sizes the options allow once gave negative byte counts (int64 overflow, exit 0); now every
    // field is a true non-negative count whose parts add up to the total, or the estimate is refused by name.
    void estimateNeverOverflows()
    {
        // A deeper model of the same shapes (estimate reads config.json only): 64 layers.
        const QString model = copyModel();
        setConfigField(model, "config.json", "num_hidden_layers", "64");
        const QStringList base = {"estimate", "--model", model, "--data",
                                  QStringLiteral(VORA_TEST_DATA_DIR "/synth_tiny/finetune-test.jsonl"), "--json"};
        const CliResult huge = runVora(base + QStringList{"--max-text-len", "1048576", "--batch-size", "65536",
                                                          "--lora-rank", "65536", "--lora-layers", "65536"},
                                       {}, 60000);
        QCOMPARE(huge.exitCode, 1);
        QVERIFY2(huge.err.contains("passes 2^63 bytes"), huge.err.constData());
        verifyPlainMessage(huge);
        const CliResult text = runVora(base + QStringList{"--text-tokens", "1000000000000"}, {}, 60000);
        QCOMPARE(text.exitCode, 2);
        QVERIFY2(text.err.contains("--text-tokens"), text.err.constData());
        const CliResult large = runVora(base + QStringList{"--max-text-len", "1048576", "--batch-size", "64"}, {}, 60000);
        QCOMPARE(large.exitCode, 0);
        const QJsonObject e = QJsonDocument::fromJson(large.out).object();
        qint64 sum = 0;
        for (const char* field : {"weights_bytes", "lora_bytes", "optimizer_bytes", "gradient_bytes", "activation_bytes",
                                  "logits_bytes", "teacher_bytes"}) {
            QVERIFY2(e.value(field).toInteger(-1) >= 0, field);
            sum += e.value(field).toInteger();
        }
        QVERIFY(e.value("total_bytes").toInteger() > (qint64(1) << 40)); // quadratic attention of 2^20 tokens
        QCOMPARE(e.value("total_bytes").toInteger(), sum);
    }

private:
    QString copyModel()
    {
        const QString copy = m_dir.filePath(QStringLiteral("model-%1").arg(++m_copies));
        QDir().mkpath(copy);
        for (const QString& name : QDir(m_pristine).entryList(QDir::Files)) {
            QFile::copy(m_pristine + QLatin1Char('/') + name, copy + QLatin1Char('/') + name);
        }
        return copy;
    }

    QTemporaryDir m_dir;
    QString m_pristine;
    int m_copies = 0;
};

QTEST_GUILESS_MAIN(TestCliHostileInputs)
#include "test_cli_hostile_inputs.moc"
