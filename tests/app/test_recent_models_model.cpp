#include "app/models/recent_models_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using vora::app::RecentModelsModel;

class TestRecentModelsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        m_settings->clear();
    }

    void newestFirstWithoutDuplicates()
    {
        RecentModelsModel model(m_settings.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.touch(QStringLiteral("/models/a"));
        model.touch(QStringLiteral("/models/b/"));
        model.touch(QStringLiteral("/models/a"));
        QCOMPARE(model.paths(), QStringList({QStringLiteral("/models/a"), QStringLiteral("/models/b")}));
        QCOMPARE(model.index(1).data().toString(), QStringLiteral("b"));
        QCOMPARE(model.index(1).data(RecentModelsModel::PathRole).toString(), QStringLiteral("/models/b"));
    }

    void keepsAtMostTen()
    {
        RecentModelsModel model(m_settings.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 15; ++i) {
            model.touch(QStringLiteral("/models/%1").arg(i));
        }
        QCOMPARE(model.rowCount(), RecentModelsModel::kMaxEntries);
        QCOMPARE(model.paths().first(), QStringLiteral("/models/14"));
    }

    void persistsAcrossInstances()
    {
        {
            RecentModelsModel model(m_settings.get());
            model.touch(QStringLiteral("/models/x"));
            model.touch(QStringLiteral("/models/y"));
            model.remove(QStringLiteral("/models/x"));
        }
        RecentModelsModel reloaded(m_settings.get());
        QCOMPARE(reloaded.paths(), QStringList({QStringLiteral("/models/y")}));
    }

    void existsRoleChecksTheDisk()
    {
        RecentModelsModel model(m_settings.get());
        model.touch(m_dir.path());
        model.touch(QStringLiteral("/definitely/not/here"));
        QCOMPARE(model.index(0).data(RecentModelsModel::ExistsRole).toBool(), false);
        QCOMPARE(model.index(1).data(RecentModelsModel::ExistsRole).toBool(), true);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
};

QTEST_GUILESS_MAIN(TestRecentModelsModel)
#include "test_recent_models_model.moc"
