#include "core/error.h"
#include "training/lr_schedule.h"

#include <QTest>

#include <cmath>

using namespace vora::training;

// Expected values follow transformers' get_constant_schedule_with_warmup and
// get_cosine_schedule_with_warmup (num_cycles 0.5), worked out by hand.
class TestLrSchedule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constantWithWarmup_data()
    {
        QTest::addColumn<qint64>("step");
        QTest::addColumn<double>("expected");
        QTest::newRow("first update") << qint64(0) << 0.0;
        QTest::newRow("half warm-up") << qint64(50) << 1e-4;
        QTest::newRow("last warm-up") << qint64(99) << 1.98e-4;
        QTest::newRow("warm") << qint64(100) << 2e-4;
        QTest::newRow("late") << qint64(100000) << 2e-4;
    }
    void constantWithWarmup()
    {
        QFETCH(qint64, step);
        QFETCH(double, expected);
        const LrScheduleParams params{ScheduleKind::ConstantWithWarmup, 2e-4, 100, 0, 0.0};
        QVERIFY(std::abs(learningRateAt(params, step) - expected) < 1e-12);
    }

    void cosine_data()
    {
        QTest::addColumn<qint64>("step");
        QTest::addColumn<double>("expected");
        QTest::newRow("warm-up") << qint64(5) << 1e-5;
        QTest::newRow("peak") << qint64(10) << 2e-5;
        QTest::newRow("middle") << qint64(60) << 1e-5;
        QTest::newRow("quarter") << qint64(35) << 2e-5 * 0.5 * (1 + std::cos(M_PI * 0.25));
        QTest::newRow("end") << qint64(110) << 0.0;
        QTest::newRow("past end") << qint64(500) << 0.0;
    }
    void cosine()
    {
        QFETCH(qint64, step);
        QFETCH(double, expected);
        const LrScheduleParams params{ScheduleKind::Cosine, 2e-5, 10, 110, 0.0};
        QVERIFY2(std::abs(learningRateAt(params, step) - expected) < 1e-15,
                 qPrintable(QString::number(learningRateAt(params, step))));
    }

    void parsesNames()
    {
        QCOMPARE(parseScheduleKind("cosine"), ScheduleKind::Cosine);
        QCOMPARE(parseScheduleKind("constant_with_warmup"), ScheduleKind::ConstantWithWarmup);
        QVERIFY_THROWS_EXCEPTION(vora::core::Error, parseScheduleKind("linear"));
    }

    void cosineNeedsTotalSteps()
    {
        const LrScheduleParams params{ScheduleKind::Cosine, 1e-4, 10, 0, 0.0};
        QVERIFY_THROWS_EXCEPTION(vora::core::Error, learningRateAt(params, 20));
    }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "test_lr_schedule.moc"
