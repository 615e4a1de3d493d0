// The vora-studio executable itself, as a user starts it: with --model on a real (tiny) model and the
// real inference backend, it opens its conversation database, loads the model on its worker thread,
// records it among the recent models, and quits cleanly, without Qt warnings on the way.
#include "app/storage/store_schema.h"
#include "tiny_model_writer.h"

#include <QProcess>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestStudioSmoke : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsLoadsTheModelAndQuitsCleanly()
    {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(
            vora::testing::writeTinyQwenVoraModel(dir.filePath(QStringLiteral("tiny-vora")).toStdString()));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        environment.remove(QStringLiteral("VORA_STUDIO_FAKE_BACKEND"));
        QProcess studio;
        studio.setProcessEnvironment(environment);
        studio.start(QStringLiteral(VORA_STUDIO_PATH), {QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")),
                                                        QStringLiteral("--model"), model, QStringLiteral("--quit-after-ms"),
                                                        QStringLiteral("6000")});
        QVERIFY(studio.waitForFinished(60000));
        const QByteArray errors = studio.readAllStandardError();
        QCOMPARE(studio.exitStatus(), QProcess::NormalExit);
        QVERIFY2(studio.exitCode() == 0, errors.constData());
        for (const char* warning : {"QObject::", "QThread:", "QSqlDatabase", "QMetaType", "Could not", "cannot"}) {
            QVERIFY2(!errors.contains(warning), errors.constData());
        }

        // The model was loaded: the window put it at the top of the recent models.
        QSettings settings(dir.filePath(QStringLiteral("config/VoRA Studio/VoRA Studio.conf")), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("models/recent")).toStringList().value(0), model);

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
};

QTEST_GUILESS_MAIN(TestStudioSmoke)
#include "test_studio_smoke.moc"
