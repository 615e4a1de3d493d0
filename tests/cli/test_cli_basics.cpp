#include "cli_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

class TestCliBasics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void printsVersion()
    {
        const CliResult r = runVora({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("vora "));
    }

    void infoJsonListsCpuAndSentencePiece()
    {
        const CliResult r = runVora({QStringLiteral("info"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject info = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!info.value(QStringLiteral("torch")).toString().isEmpty());
        const QJsonArray devices = info.value(QStringLiteral("devices")).toArray();
        QVERIFY(!devices.isEmpty());
        QCOMPARE(devices.first().toObject().value(QStringLiteral("id")).toString(), QStringLiteral("cpu"));
#ifdef VORA_WITH_SENTENCEPIECE
        const bool expected = true;
#else
        const bool expected = false; // built without the module (the asan preset)
#endif
        QCOMPARE(info.value(QStringLiteral("sentencepiece")).toObject().value(QStringLiteral("available")).toBool(), expected);
    }

    void infoHumanReadable()
    {
        const CliResult r = runVora({QStringLiteral("info")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("LibTorch"));
        QVERIFY(r.out.contains("cpu"));
    }

    void unknownCommandIsAUsageError()
    {
        const CliResult r = runVora({QStringLiteral("frobnicate")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown command"));
    }

    void unknownOptionIsAUsageError()
    {
        const CliResult r = runVora({QStringLiteral("info"), QStringLiteral("--bogus")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown option --bogus"));
        QVERIFY(r.err.contains("usage: vora info"));
    }

    void commandHelpGoesToStdout()
    {
        const CliResult r = runVora({QStringLiteral("info"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("usage: vora info"));
    }
};

QTEST_GUILESS_MAIN(TestCliBasics)
#include "test_cli_basics.moc"
