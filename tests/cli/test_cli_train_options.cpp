// `vora train`'s options as a user and the fine-tune wizard meet them, without training: the
// machine-readable list, --help, and refused values naming the flag (or the --config file and key).
#include "cli_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

namespace {

QSet<QString> flagsInHelp(const QByteArray& help)
{
    QSet<QString> flags;
    const QRegularExpression flag(QStringLiteral("^  --([a-z0-9-]+)"), QRegularExpression::MultilineOption);
    for (auto it = flag.globalMatch(QString::fromUtf8(help)); it.hasNext();) {
        flags.insert(it.next().captured(1));
    }
    return flags;
}

} // namespace

class TestCliTrainOptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void optionsJsonListsEveryFlagOfHelp()
    {
        const CliResult list = runVora({"train", "--options-json"});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray options = QJsonDocument::fromJson(list.out).object().value("options").toArray();
        QVERIFY(options.size() >= 38);
        QSet<QString> listed;
        const QSet<QString> types = {"path", "text", "choice", "integer", "number", "switch", "path_list", "choice_list"};
        for (const QJsonValue& value : options) {
            const QJsonObject option = value.toObject();
            listed.insert(option.value("flag").toString());
            QVERIFY2(types.contains(option.value("type").toString()), qPrintable(option.value("flag").toString()));
            QVERIFY(option.contains("default") && option.contains("group") && !option.value("help").toString().isEmpty());
        }
        QCOMPARE(listed.size(), options.size());

        const CliResult help = runVora({"train", "--help"});
        QCOMPARE(help.exitCode, 0);
        QSet<QString> helpFlags = flagsInHelp(help.out);
        for (const QString& meta : QStringList{"config", "json", "options-json"}) { // how the command reads and prints
            QVERIFY(helpFlags.remove(meta));
        }
        QCOMPARE(helpFlags, listed);
        QVERIFY(help.out.contains("--image-attention MODE") && help.out.contains("auto | bidirectional | causal"));

        // `vora estimate` takes the same options from the same table.
        const QSet<QString> estimateFlags = flagsInHelp(runVora({"estimate", "--help"}).out);
        QVERIFY(estimateFlags.contains(listed));
    }

    void badValuesAreUsageErrorsNamingTheFlag_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("int overflow") << QStringList{"--lora-rank", "4294967297"} << "--lora-rank: must be from 1 to 65536, got 4294967297";
        QTest::newRow("fraction") << QStringList{"--batch-size", "1.5"} << "--batch-size: expects a whole number, got '1.5'";
        QTest::newRow("nan") << QStringList{"--lr", "nan"} << "--lr: must be a finite number";
        QTest::newRow("choice") << QStringList{"--image-attention", "full"} << "--image-attention: must be one of auto, bidirectional, causal";
    }

    void badValuesAreUsageErrorsNamingTheFlag()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliResult r = runVora(QStringList{"train", "--model", "m", "--data", "d.jsonl", "--out", "o"} + arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("vora train: " + message.toUtf8()), r.err.constData());
    }

    void badConfigNamesTheFileAndKey()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("run.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"lora_rank": 8, "max_text_len": 1.5})");
        file.close();
        const CliResult r = runVora({"train", "--config", path, "--model", "m", "--data", "d.jsonl", "--out", "o"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(path.toUtf8() + ": key \"max_text_len\": expects a whole number"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliTrainOptions)
#include "test_cli_train_options.moc"
