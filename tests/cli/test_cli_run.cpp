// `vora run` and `vora bench` end to end on a tiny random VoRA model with the real Qwen2 tokenizer.
#include "cli_runner.h"
#include "core/safetensors/safetensors_file.h"
#include "tiny_model_writer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

QJsonObject lastJsonLine(const QByteArray& out)
{
    const QList<QByteArray> lines = out.trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object();
}

QString image() { return QStringLiteral(VORA_TEST_DATA_DIR "/image/decode/grey.png"); }

} // namespace

class TestCliRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
    }

    void greedyChatWithImageGivesJson()
    {
        const QStringList args = {QStringLiteral("run"), QStringLiteral("--model"), m_model, QStringLiteral("--image"), image(),
                                  QStringLiteral("--prompt"), QStringLiteral("Describe the picture."),
                                  QStringLiteral("--temperature"), QStringLiteral("0"), QStringLiteral("--max-new-tokens"),
                                  QStringLiteral("6"), QStringLiteral("--min-new-tokens"), QStringLiteral("6"),
                                  QStringLiteral("--json")};
        const CliResult first = runVora(args);
        QCOMPARE(first.exitCode, 0);
        const QJsonObject result = lastJsonLine(first.out);
        const QJsonArray ids = result.value(QStringLiteral("token_ids")).toArray();
        QCOMPARE(ids.size(), 6);
        QCOMPARE(result.value(QStringLiteral("generated_tokens")).toInt(), 6);
        QCOMPARE(result.value(QStringLiteral("stop_reason")).toString(), QStringLiteral("length"));
        QCOMPARE(result.value(QStringLiteral("image_tokens")).toInt(), 16);
        QVERIFY(result.value(QStringLiteral("prompt_tokens")).toInt() > 16);
        QVERIFY(result.value(QStringLiteral("prefill_ms")).toDouble() > 0);
        QVERIFY(result.value(QStringLiteral("time_to_first_token_ms")).toDouble() >= result.value(QStringLiteral("prefill_ms")).toDouble());
        QVERIFY(result.value(QStringLiteral("decode_tokens_per_s")).toDouble() > 0);
        QVERIFY(result.value(QStringLiteral("load_ms")).toDouble() > 0);
        // stdout is exactly the streamed text, a newline, and the JSON line, whose "text" is that text.
        const QByteArray text = result.value(QStringLiteral("text")).toString().toUtf8();
        QVERIFY(!text.isEmpty());
        QCOMPARE(first.out, text + "\n" + first.out.trimmed().split('\n').last() + "\n");
        // Greedy decoding is deterministic.
        const CliResult second = runVora(args);
        QCOMPARE(lastJsonLine(second.out).value(QStringLiteral("token_ids")).toArray(), ids);
    }

    // Without --json the answer ends with one line for people: the stop reason in words, whole milliseconds,
    // tokens per second to one decimal (the code names and full precision stay in --json).
    void theSummaryLineSpeaksHuman()
    {
        const CliResult r = runVora({QStringLiteral("run"), QStringLiteral("--model"), m_model, QStringLiteral("--prompt"),
                                     QStringLiteral("Hi"), QStringLiteral("--temperature"), QStringLiteral("0"),
                                     QStringLiteral("--max-new-tokens"), QStringLiteral("3"), QStringLiteral("--min-new-tokens"),
                                     QStringLiteral("3")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QRegularExpression summary(QStringLiteral(
            R"(^\[3 tokens, length limit; load \d+ ms, prefill \d+ ms \(\d+ tokens\), first token \d+ ms, \d+\.\d tok/s on cpu\]$)"));
        const QString last = QString::fromUtf8(r.err.trimmed().split('\n').last());
        QVERIFY2(summary.match(last).hasMatch(), qPrintable(last));
    }

    void seededSamplingIsReproducible()
    {
        const QStringList args = {QStringLiteral("run"), QStringLiteral("--model"), m_model, QStringLiteral("--prompt"),
                                  QStringLiteral("Hi"), QStringLiteral("--temperature"), QStringLiteral("1.0"),
                                  QStringLiteral("--top-k"), QStringLiteral("0"), QStringLiteral("--top-p"), QStringLiteral("1"),
                                  QStringLiteral("--seed"), QStringLiteral("42"), QStringLiteral("--max-new-tokens"),
                                  QStringLiteral("8"), QStringLiteral("--json")};
        const QJsonArray a = lastJsonLine(runVora(args).out).value(QStringLiteral("token_ids")).toArray();
        const QJsonArray b = lastJsonLine(runVora(args).out).value(QStringLiteral("token_ids")).toArray();
        QCOMPARE(a.size(), 8);
        QCOMPARE(a, b);
        QStringList other = args;
        other[other.indexOf(QStringLiteral("42"))] = QStringLiteral("43");
        QVERIFY(lastJsonLine(runVora(other).out).value(QStringLiteral("token_ids")).toArray() != a);
    }

    void dumpLogitsWritesExpandedPrefill()
    {
        const QString file = m_dir.filePath(QStringLiteral("logits.safetensors"));
        const CliResult r = runVora({QStringLiteral("run"), QStringLiteral("--model"), m_model, QStringLiteral("--image"),
                                     image(), QStringLiteral("--raw-prompt"),
                                     QStringLiteral("<|im_start|>user\n<image>What?<|im_end|>\n<|im_start|>assistant\n"),
                                     QStringLiteral("--max-new-tokens"), QStringLiteral("1"), QStringLiteral("--dump-logits"), file});
        QCOMPARE(r.exitCode, 0);
        const auto dump = vora::core::SafetensorsFile::open(file.toStdString());
        const auto& ids = dump->info("input_ids");
        const auto& logits = dump->info("logits");
        QCOMPARE(logits.shape.size(), size_t(2));
        QCOMPARE(logits.shape[1], int64_t(151936));
        QCOMPARE(logits.shape[0], ids.shape[0] - 1 + 16); // one sentinel became 16 patch tokens
        const auto* raw = reinterpret_cast<const int64_t*>(dump->data(ids));
        QCOMPARE(raw[0], int64_t(151644)); // <|im_start|> parsed as the special token
        QVERIFY(std::find(raw, raw + ids.shape[0], int64_t(-200)) != raw + ids.shape[0]);
    }

    void attentionMapCoversEveryTokenAndPatch()
    {
        const QString file = m_dir.filePath(QStringLiteral("attention.json"));
        const CliResult r = runVora({QStringLiteral("run"), QStringLiteral("--model"), m_model, QStringLiteral("--image"), image(),
                                     QStringLiteral("--prompt"), QStringLiteral("Where?"), QStringLiteral("--temperature"),
                                     QStringLiteral("0"), QStringLiteral("--max-new-tokens"), QStringLiteral("4"),
                                     QStringLiteral("--json"), QStringLiteral("--attention-map"), file});
        QCOMPARE(r.exitCode, 0);
        QFile json(file);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject map = QJsonDocument::fromJson(json.readAll()).object();
        const QJsonArray images = map.value(QStringLiteral("images")).toArray();
        QCOMPARE(images.size(), 1);
        QCOMPARE(images.first().toObject().value(QStringLiteral("grid_height")).toInt(), 4);
        const QJsonArray tokens = map.value(QStringLiteral("tokens")).toArray();
        QCOMPARE(tokens.size(), lastJsonLine(r.out).value(QStringLiteral("token_ids")).toArray().size());
        for (const QJsonValue& token : tokens) {
            const QJsonArray grid = token.toObject().value(QStringLiteral("grids")).toArray().first().toArray();
            QCOMPARE(grid.size(), 16);
            double sum = 0;
            for (const QJsonValue& w : grid) {
                QVERIFY(w.toDouble() >= 0);
                sum += w.toDouble();
            }
            QVERIFY(std::abs(sum - token.toObject().value(QStringLiteral("image_share")).toDouble()) < 1e-4);
        }
    }

    void attentionDetailHeadsNestsLayersAndHeads()
    {
        // Tiny model: 2 layers, 2 heads, one 4x4 image. Each layer grid is the mean of its heads'
        // grids, and grids is the mean of the layer grids (the recorder reduces on tensors; checked
        // here on the JSON numbers).
        const QString file = m_dir.filePath(QStringLiteral("attention_heads.json"));
        const CliResult r = runVora({QStringLiteral("run"), QStringLiteral("--model"), m_model, QStringLiteral("--image"), image(),
                                     QStringLiteral("--prompt"), QStringLiteral("Where?"), QStringLiteral("--temperature"),
                                     QStringLiteral("0"), QStringLiteral("--max-new-tokens"), QStringLiteral("3"),
                                     QStringLiteral("--attention-map"), file, QStringLiteral("--attention-detail"),
                                     QStringLiteral("heads")});
        QCOMPARE(r.exitCode, 0);
        QFile json(file);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject map = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(map.value(QStringLiteral("layer_indices")).toArray(), (QJsonArray{0, 1}));
        const QJsonArray tokens = map.value(QStringLiteral("tokens")).toArray();
        QVERIFY(!tokens.isEmpty());
        int compared = 0;
        for (const QJsonValue& value : tokens) {
            const QJsonObject token = value.toObject();
            const QJsonArray layers = token.value(QStringLiteral("layers")).toArray();
            const QJsonArray heads = token.value(QStringLiteral("heads")).toArray();
            QCOMPARE(layers.size(), 2);
            QCOMPARE(heads.size(), 2);
            const QJsonArray grid = token.value(QStringLiteral("grids")).toArray()[0].toArray();
            for (int p = 0; p < 16; ++p) {
                double layerSum = 0;
                for (int l = 0; l < 2; ++l) {
                    const QJsonArray perHead = heads[l].toArray();
                    QCOMPARE(perHead.size(), 2);
                    const double headMean = (perHead[0].toArray()[0].toArray()[p].toDouble()
                                             + perHead[1].toArray()[0].toArray()[p].toDouble()) / 2;
                    const double layer = layers[l].toArray()[0].toArray()[p].toDouble();
                    QVERIFY(std::abs(layer - headMean) < 1e-6);
                    layerSum += layer;
                    ++compared;
                }
                QVERIFY(std::abs(grid[p].toDouble() - layerSum / 2) < 1e-6);
            }
        }
        QCOMPARE(compared, static_cast<int>(tokens.size()) * 32);
    }

    void errorsAreClear_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no such model") << QStringList{QStringLiteral("run"), QStringLiteral("--model"), QStringLiteral("/nope"),
                                                      QStringLiteral("--prompt"), QStringLiteral("x")}
                                       << 1 << QStringLiteral("/nope");
        QTest::newRow("placeholder without image") << QStringList{QStringLiteral("--raw-prompt"), QStringLiteral("<image>hi")}
                                                   << 1 << QStringLiteral("placeholder");
        QTest::newRow("cuda absent") << QStringList{QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--device"),
                                                    QStringLiteral("cuda:0")}
                                     << 1 << QStringLiteral("CUDA");
        QTest::newRow("both prompts") << QStringList{QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--raw-prompt"),
                                                     QStringLiteral("y")}
                                      << 2 << QStringLiteral("exactly one");
        QTest::newRow("bad number") << QStringList{QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--top-k"),
                                                   QStringLiteral("many")}
                                    << 2 << QStringLiteral("--top-k");
        QTest::newRow("detail without map") << QStringList{QStringLiteral("--prompt"), QStringLiteral("x"),
                                                           QStringLiteral("--attention-detail"), QStringLiteral("heads")}
                                            << 2 << QStringLiteral("--attention-map");
        QTest::newRow("bad detail") << QStringList{QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--attention-map"),
                                                   QStringLiteral("/tmp/unused.json"), QStringLiteral("--attention-detail"),
                                                   QStringLiteral("all")}
                                    << 2 << QStringLiteral("mean, layers or heads");
        QTest::newRow("missing image file") << QStringList{QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--image"),
                                                           QStringLiteral("/no/such.png")}
                                            << 1 << QStringLiteral("/no/such.png");
    }

    void errorsAreClear()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        if (!args.contains(QStringLiteral("run"))) {
            args = QStringList{QStringLiteral("run"), QStringLiteral("--model"), m_model} + args;
        }
        const CliResult r = runVora(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    }

    void benchPrintsOneJsonLine()
    {
        const CliResult r = runVora({QStringLiteral("bench"), QStringLiteral("--model"), m_model, QStringLiteral("--image-tokens"),
                                     QStringLiteral("16"), QStringLiteral("--prompt-tokens"), QStringLiteral("8"),
                                     QStringLiteral("--new-tokens"), QStringLiteral("4"), QStringLiteral("--repeat"), QStringLiteral("1")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject bench = lastJsonLine(r.out);
        QCOMPARE(bench.value(QStringLiteral("image_tokens")).toInt(), 16);
        QCOMPARE(bench.value(QStringLiteral("generated_tokens")).toInt(), 4);
        QCOMPARE(bench.value(QStringLiteral("stop_reason")).toString(), QStringLiteral("length"));
        QVERIFY(bench.value(QStringLiteral("decode_tokens_per_s")).toDouble() > 0);
        QVERIFY(bench.value(QStringLiteral("load_ms")).toDouble() > 0);
        // The floor: keys and values of every layer at the mean decode context, float32 on the CPU.
        QFile configFile(m_model + "/config.json");
        QVERIFY(configFile.open(QIODevice::ReadOnly));
        const QJsonObject config = QJsonDocument::fromJson(configFile.readAll()).object();
        const qint64 headDim = config.value("hidden_size").toInt() / config.value("num_attention_heads").toInt();
        const qint64 context = bench.value("prompt_tokens").toInt() + 4 / 2;
        const QJsonObject floor = bench.value(QStringLiteral("floor")).toObject();
        QCOMPARE(floor.value("kv_bytes_per_token").toInteger(),
                 2 * config.value("num_hidden_layers").toInt() * config.value("num_key_value_heads").toInt() * headDim * context * 4);
        QVERIFY(floor.value("weight_bytes_per_token").toInteger() > 0);
        QVERIFY(floor.value("read_bytes_per_s").toDouble() > 1e8);
        QCOMPARE(floor.value("share_of_floor").toDouble(),
                 bench.value("decode_tokens_per_s").toDouble() / floor.value("decode_tokens_per_s").toDouble());
    }

    // --capture-attention records every token's image attention as the engine does, and reports the same
    // decoder's speed without it, measured in the same run.
    void benchMeasuresTheAttentionCapture()
    {
        const CliResult r = runVora({QStringLiteral("bench"), QStringLiteral("--model"), m_model, QStringLiteral("--image-tokens"),
                                     QStringLiteral("16"), QStringLiteral("--prompt-tokens"), QStringLiteral("8"),
                                     QStringLiteral("--new-tokens"), QStringLiteral("5"), QStringLiteral("--repeat"),
                                     QStringLiteral("1"), QStringLiteral("--capture-attention"), QStringLiteral("layers")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject bench = lastJsonLine(r.out);
        QCOMPARE(bench.value(QStringLiteral("attention_capture")).toString(), QStringLiteral("layers"));
        QCOMPARE(bench.value(QStringLiteral("attention_captured_tokens")).toInt(), 5); // one map per generated token
        QVERIFY(bench.value(QStringLiteral("decode_tokens_per_s_without_capture")).toDouble() > 0);
        const double increase = bench.value(QStringLiteral("attention_capture_decode_time_increase")).toDouble();
        QCOMPARE(increase, bench.value("decode_tokens_per_s_without_capture").toDouble()
                               / bench.value("decode_tokens_per_s").toDouble() - 1);
    }

    // --trace records one more two-turn run as a Chrome trace with the runtime's phases of both turns; a
    // path that cannot be written is refused before the model loads.
    void benchWritesATrace()
    {
        const QString path = m_dir.filePath(QStringLiteral("bench-trace.json"));
        const CliResult r = runVora({QStringLiteral("bench"), QStringLiteral("--model"), m_model, QStringLiteral("--image-tokens"),
                                     QStringLiteral("16"), QStringLiteral("--prompt-tokens"), QStringLiteral("8"),
                                     QStringLiteral("--new-tokens"), QStringLiteral("3"), QStringLiteral("--repeat"),
                                     QStringLiteral("1"), QStringLiteral("--trace"), path});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(lastJsonLine(r.out).value(QStringLiteral("trace")).toString(), path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray events = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("traceEvents")).toArray();
        QMap<QString, int> phases;
        int operators = 0;
        for (const QJsonValue& value : events) {
            const QJsonObject event = value.toObject();
            const QString name = event.value(QStringLiteral("name")).toString();
            if (event.value(QStringLiteral("cat")).toString() == QStringLiteral("user_annotation") && name.startsWith("vora::")) {
                ++phases[name];
            }
            operators += name.startsWith(QStringLiteral("aten::")) ? 1 : 0;
        }
        // Two turns of the traced run (the timed runs before it are not recorded).
        for (const char* phase : {"vora::layout", "vora::embed", "vora::prefill", "vora::decode"}) {
            QCOMPARE(phases.value(QString::fromLatin1(phase)), 2);
        }
        QVERIFY(operators > 0);

        // tests/reference/trace_summary.py reads it: the phases of both turns in order, host times, and on the
        // CPU no device events.
        const QString summaryPath = m_dir.filePath(QStringLiteral("bench-trace-summary.json"));
        QProcess summary;
        summary.start(QStringLiteral("python3"), {QStringLiteral(VORA_TEST_DATA_DIR "/../reference/trace_summary.py"), path,
                                                  QStringLiteral("--json"), summaryPath});
        QVERIFY(summary.waitForFinished(60000));
        QVERIFY2(summary.exitCode() == 0, summary.readAllStandardError().constData());
        QVERIFY(summary.readAllStandardOutput().contains("--- turn 2"));
        QFile summaryFile(summaryPath);
        QVERIFY(summaryFile.open(QIODevice::ReadOnly));
        const QJsonArray rows = QJsonDocument::fromJson(summaryFile.readAll()).array();
        QCOMPARE(rows.size(), 8);
        const QStringList order = {"vora::layout", "vora::embed", "vora::prefill", "vora::decode"};
        for (int i = 0; i < rows.size(); ++i) {
            const QJsonObject row = rows[i].toObject();
            QCOMPARE(row.value(QStringLiteral("phase")).toString(), order[i % 4]);
            QVERIFY(row.value(QStringLiteral("host_ms")).toDouble() > 0);
            QCOMPARE(row.value(QStringLiteral("device_events")).toInt(), 0);
        }

        const CliResult refused = runVora({QStringLiteral("bench"), QStringLiteral("--model"), m_model, QStringLiteral("--trace"),
                                           m_dir.filePath(QStringLiteral("no-such-folder/trace.json"))});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("cannot write the trace to"), refused.err.constData());
        QVERIFY(refused.out.isEmpty()); // nothing ran
        // A run that fails after the check (a model folder with its config but no weights: the load fails)
        // leaves an existing file as it was and creates none.
        const QString weightless = m_dir.filePath(QStringLiteral("weightless"));
        QVERIFY(QDir().mkpath(weightless));
        QVERIFY(QFile::copy(m_model + "/config.json", weightless + "/config.json"));
        QFile existing(m_dir.filePath(QStringLiteral("kept.json")));
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("{\"kept\": true}");
        existing.close();
        for (const QString& target : {existing.fileName(), m_dir.filePath(QStringLiteral("never.json"))}) {
            const CliResult failed = runVora({QStringLiteral("bench"), QStringLiteral("--model"), weightless,
                                              QStringLiteral("--trace"), target});
            QCOMPARE(failed.exitCode, 1);
            QVERIFY2(!failed.err.contains("cannot write the trace"), failed.err.constData()); // it failed later
        }
        QVERIFY(existing.open(QIODevice::ReadOnly));
        QCOMPARE(existing.readAll(), QByteArray("{\"kept\": true}"));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.json"))));
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
};

QTEST_GUILESS_MAIN(TestCliRun)
#include "test_cli_run.moc"
