// The vora-studio executable itself, as a user starts it: with --model on a real (tiny) model and the
// real inference backend, it opens its conversation database, loads the model on its worker thread,
// records it among the recent models, and quits cleanly, without Qt warnings on the way. And the
// launch options packaging/studio uses: --first-launch-only --model DEMO --attach SCENE opens the demo
// on the first launch only; the next launch reopens the last model instead.
#include "app/storage/store_schema.h"
#include "tiny_model_writer.h"

#include <QDir>
#include <QProcess>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray errors;
};

Run runStudio(const QTemporaryDir& dir, const QStringList& arguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    environment.remove(QStringLiteral("VORA_STUDIO_FAKE_BACKEND"));
    QProcess studio;
    studio.setProcessEnvironment(environment);
    studio.start(QStringLiteral(VORA_STUDIO_PATH),
                 QStringList{QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")), QStringLiteral("--quit-after-ms"),
                             QStringLiteral("6000")}
                     + arguments);
    Run run;
    if (studio.waitForFinished(60000) && studio.exitStatus() == QProcess::NormalExit) {
        run.exitCode = studio.exitCode();
    }
    run.errors = studio.readAllStandardError();
    return run;
}

QString firstRecentModel(const QTemporaryDir& dir)
{
    QSettings settings(dir.filePath(QStringLiteral("config/VoRA Studio/VoRA Studio.conf")), QSettings::IniFormat);
    return settings.value(QStringLiteral("models/recent")).toStringList().value(0);
}

} // namespace

class TestStudioSmoke : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsLoadsTheModelAndQuitsCleanly()
    {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(
            vora::testing::writeTinyQwenVoraModel(dir.filePath(QStringLiteral("tiny-vora")).toStdString()));
        const Run run = runStudio(dir, {QStringLiteral("--model"), model});
        QVERIFY2(run.exitCode == 0, run.errors.constData());
        for (const char* warning : {"QObject::", "QThread:", "QSqlDatabase", "QMetaType", "Could not", "cannot"}) {
            QVERIFY2(!run.errors.contains(warning), run.errors.constData());
        }

        // The model was loaded: the window put it at the top of the recent models.
        QCOMPARE(firstRecentModel(dir), model);

        // The conversation database was created at the current schema version.
        {
            QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("smoke"));
            database.setDatabaseName(dir.filePath(QStringLiteral("data/conversations.sqlite3")));
            QVERIFY(database.open());
            QSqlQuery version(QStringLiteral("PRAGMA user_version"), database);
            QVERIFY(version.next());
            QCOMPARE(version.value(0).toInt(), vora::app::kStoreSchemaVersion);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("smoke"));
    }

    void theDemoOpensOnTheFirstLaunchOnly()
    {
        QTemporaryDir dir;
        const QString demo = QString::fromStdString(
            vora::testing::writeTinyQwenVoraModel(dir.filePath(QStringLiteral("demo")).toStdString()));
        const QString scene = QStringLiteral(VORA_SOURCE_DIR "/resources/samples/shapes-scene.png");
        const QStringList packaged = {QStringLiteral("--first-launch-only"), QStringLiteral("--model"), demo,
                                      QStringLiteral("--attach"), scene};
        Run run = runStudio(dir, packaged);
        QVERIFY2(run.exitCode == 0, run.errors.constData());
        QVERIFY2(!run.errors.contains("--attach"), run.errors.constData());
        QCOMPARE(firstRecentModel(dir), demo);
        // The user opens another model; the next packaged launch reopens it, not the demo.
        const QString other = QString::fromStdString(
            vora::testing::writeTinyQwenVoraModel(dir.filePath(QStringLiteral("other")).toStdString()));
        run = runStudio(dir, {QStringLiteral("--model"), other});
        QVERIFY2(run.exitCode == 0, run.errors.constData());
        QCOMPARE(firstRecentModel(dir), other);
        QVERIFY(QDir(demo).removeRecursively()); // were the demo loaded again, it would fail loudly
        run = runStudio(dir, packaged);
        QVERIFY2(run.exitCode == 0, run.errors.constData());
        QCOMPARE(firstRecentModel(dir), other);
        QSettings settings(dir.filePath(QStringLiteral("config/VoRA Studio/VoRA Studio.conf")), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("session/last_model")).toString(), other);
    }
};

QTEST_GUILESS_MAIN(TestStudioSmoke)
#include "test_studio_smoke.moc"
