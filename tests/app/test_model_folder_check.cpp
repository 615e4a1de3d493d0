#include "app/inference/model_view_image.h"
#include "app/models/model_folder_check.h"
#include "model_folder_fixture.h"

#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;
using vora::tests::writeFile;

class TestModelFolderCheck : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acceptsACompleteFolder()
    {
        QTemporaryDir dir;
        const ModelFolderCheck check = checkModelFolder(vora::tests::makeModelFolder(dir.path()));
        QVERIFY2(check.ok, qPrintable(check.problem));
    }

    void explainsWhatIsWrong_data()
    {
        QTest::addColumn<QString>("remove");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no config") << "config.json" << "" << QByteArray() << "no config.json";
        QTest::newRow("broken config") << "" << "config.json" << QByteArray("{\"model_type\": ") << "not valid JSON";
        QTest::newRow("config not an object") << "" << "config.json" << QByteArray("[1, 2]") << "JSON object";
        QTest::newRow("config of no model") << "" << "config.json" << QByteArray("{\"a\": 1}") << "model_type";
        QTest::newRow("no weights") << "model.safetensors" << "" << QByteArray() << "No weights";
        QTest::newRow("missing shard") << "model.safetensors" << "model.safetensors.index.json"
                                       << QByteArray(R"({"weight_map": {"x": "model-00001-of-00002.safetensors"}})")
                                       << "model-00001-of-00002.safetensors";
        QTest::newRow("no tokenizer") << "tokenizer.json" << "" << QByteArray() << "No tokenizer";
        QTest::newRow("broken generation config") << "" << "generation_config.json" << QByteArray("{") << "generation_config.json";
        QTest::newRow("generation config of the wrong type")
            << "" << "generation_config.json" << QByteArray(R"({"top_k": "forty"})") << "\"top_k\" must be an integer";
    }

    void explainsWhatIsWrong()
    {
        QFETCH(QString, remove);
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QDir model(vora::tests::makeModelFolder(dir.path()));
        if (!remove.isEmpty()) {
            QVERIFY(QFile::remove(model.filePath(remove)));
        }
        if (!file.isEmpty()) {
            writeFile(model.filePath(file), content);
        }
        const ModelFolderCheck check = checkModelFolder(model.path());
        QVERIFY(!check.ok);
        QVERIFY2(check.problem.contains(expected, Qt::CaseInsensitive), qPrintable(check.problem));
    }

    void notAFolder()
    {
        QVERIFY(!checkModelFolder(QStringLiteral("/definitely/not/here")).ok);
    }

    void modelViewPadsToACentredBlackSquare()
    {
        QImage wide(200, 100, QImage::Format_RGB32);
        wide.fill(Qt::white);
        const QImage view = modelViewImage(wide, 448);
        QCOMPARE(view.size(), QSize(448, 448));
        // (200-100)//2 = 50 rows of black above and below, i.e. a quarter of the side each.
        QCOMPARE(qGray(view.pixel(224, 20)), 0);
        QCOMPARE(qGray(view.pixel(224, 430)), 0);
        QCOMPARE(qGray(view.pixel(224, 224)), 255);
        QCOMPARE(qGray(view.pixel(5, 224)), 255);
        QCOMPARE(visionTokenCount(448, 14), 1024);
        QCOMPARE(patchesPerSide(448, 14), 32);
        QCOMPARE(visionTokenCount(224, 14), 256);
    }
};

QTEST_GUILESS_MAIN(TestModelFolderCheck)
#include "test_model_folder_check.moc"
