// The attention viewer on a real map: a tiny random VoRA model answers about a two-coloured image
// through EngineChatBackend with every head recorded; clicking tokens, changing layers and heads
// changes the overlay. VORA_SCREENSHOT_DIR set: also saves the panel as attention-viewer.png there.
#include "app/attention/rollout_requester.h"
#include "app/inference/engine_chat_backend.h"
#include "app/inference/model_host.h"
#include "studio_fixture.h"
#include "tiny_model_writer.h"
#include "ui/attention/attention_viewer.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;
using vora::tests::StudioFixture;
using vora::ui::AttentionViewer;

class TestAttentionViewer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
        const QString& model = m_model;
        // A wide picture (the padding crop matters): red left half, blue right half.
        QImage picture(120, 60, QImage::Format_RGB32);
        picture.fill(QColor(40, 90, 200));
        QPainter(&picture).fillRect(0, 0, 60, 60, QColor(210, 40, 40));
        const QString path = m_dir.filePath(QStringLiteral("red-blue.png"));
        QVERIFY(picture.save(path));
        EngineChatBackend backend;
        ModelLoadOptions options;
        options.device = QStringLiteral("cpu");
        backend.load(model, options, {});
        vora::core::GenerationSettings settings;
        settings.sampling.temperature = 0;
        settings.stop.maxNewTokens = 6;
        settings.stop.minNewTokens = 6;
        std::atomic<bool> stop{false};
        backend.setAttentionCapture(AttentionDetailLevel::Heads);
        backend.generate({{QStringLiteral("user"), QStringLiteral("Where is the red?"), {path}}}, settings,
                         [](const QString&) {}, stop);
        m_attention = backend.takeAttention();
        QCOMPARE(m_attention.tokens.size(), 6);
        QVERIFY(m_attention.layerNumbers.size() >= 2);
    }

    void clickingATokenChangesTheOverlay()
    {
        AttentionViewer viewer(m_attention);
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        const QImage first = viewer.overlay();
        QCOMPARE(first.size(), QSize(120, 60)); // the original image's size: padding removed, aspect kept
        auto* chip = viewer.findChild<QAbstractButton*>(QStringLiteral("attentionToken3"));
        QVERIFY(chip);
        QVERIFY(chip->focusPolicy() & Qt::TabFocus);
        QTest::mouseClick(chip, Qt::LeftButton);
        QCOMPARE(viewer.currentToken(), 3);
        QVERIFY(viewer.overlay() != first);
        QVERIFY(viewer.findChild<QLabel*>(QStringLiteral("attentionTokenLabel"))->text().contains(QStringLiteral("Token 4 of 6")));
        QVERIFY(viewer.findChild<QLabel*>(QStringLiteral("attentionLegend"))->text().contains(QStringLiteral("per token")));
        if (const QByteArray dir = qgetenv("VORA_SCREENSHOT_DIR"); !dir.isEmpty()) {
            QVERIFY(viewer.grab().save(QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("attention-viewer.png"))));
            QVERIFY(viewer.exportTo(AttentionViewer::Export::ContactSheetPng,
                                    QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("attention-viewer-contact-sheet.png"))));
        }
    }

    void layersAndHeadsChangeTheMap()
    {
        AttentionViewer viewer(m_attention);
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        const QImage all = viewer.overlay();
        viewer.findChild<QComboBox*>(QStringLiteral("attentionLayerScope"))->setCurrentIndex(2); // one layer
        QCOMPARE(viewer.selection().layers, LayerScope::Single);
        const QImage layer0 = viewer.overlay();
        QVERIFY(layer0 != all);
        viewer.findChild<QSpinBox*>(QStringLiteral("attentionFirstLayer"))->setValue(1);
        QCOMPARE(viewer.selection().firstLayer, 1);
        const QImage layer1 = viewer.overlay();
        QVERIFY(layer1 != layer0);
        auto* heads = viewer.findChild<QComboBox*>(QStringLiteral("attentionHeads"));
        QVERIFY(heads->isEnabled());
        heads->setCurrentIndex(1); // max over heads
        QCOMPARE(viewer.selection().heads, HeadAggregation::Max);
        QVERIFY(viewer.overlay() != layer1);
    }

    void exportedFilesDecode()
    {
        AttentionViewer viewer(m_attention);
        QTemporaryDir out;
        const auto path = [&](const char* name) { return out.filePath(QString::fromLatin1(name)); };
        QVERIFY(viewer.exportTo(AttentionViewer::Export::OverlayPng, path("token.png")));
        QCOMPARE(QImage(path("token.png")).size(), QSize(120, 60));
        QVERIFY(viewer.exportTo(AttentionViewer::Export::ContactSheetPng, path("sheet.png")));
        QVERIFY(QImage(path("sheet.png")).width() > 6 * 120);
        QVERIFY(viewer.exportTo(AttentionViewer::Export::AnimationApng, path("answer.png")));
        QImageReader animation(path("answer.png"));
        QVERIFY(animation.canRead()); // a plain PNG reader sees the first frame
        QCOMPARE(animation.read().size(), QSize(120, 60));
        QVERIFY(viewer.exportTo(AttentionViewer::Export::GridsCsv, path("grids.csv")));
        QFile csv(path("grids.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 1 + 6 * m_attention.images[0].patches());
        QVERIFY(viewer.exportTo(AttentionViewer::Export::GridsJson, path("grids.json")));
        QFile json(path("grids.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll())[QStringLiteral("tokens")].toArray().size(), 6);
        QString error;
        QVERIFY(!viewer.exportTo(AttentionViewer::Export::GridsCsv, out.filePath(QStringLiteral("no/such/dir/x.csv")), &error));
        QVERIFY(error.contains(QStringLiteral("x.csv")));
    }

    void opensFromTheAnswerAndFromTheKeyboard()
    {
        StudioFixture studio;
        const qint64 conversation = studio.store.createConversation(QStringLiteral("Colours"));
        ChatMessage question;
        question.conversationId = conversation;
        question.role = QStringLiteral("user");
        question.text = QStringLiteral("Where is the red?");
        studio.store.addMessage(question);
        ChatMessage answer = question;
        answer.role = QStringLiteral("assistant");
        answer.text = QStringLiteral("Left.");
        studio.store.addMessage(answer);
        studio.store.saveAttention(answer.id, m_attention);
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));
        studio.controller->openConversation(conversation);
        // Every message has the button; only the answer with a saved map shows it.
        const auto shown = [&] {
            QList<QAbstractButton*> visible;
            for (QAbstractButton* b : studio.window->findChildren<QAbstractButton*>(QStringLiteral("attentionButton"))) {
                if (b->isVisibleTo(studio.window.get())) {
                    visible.append(b);
                }
            }
            return visible;
        };
        QTRY_COMPARE(shown().size(), 1);
        QAbstractButton* button = shown().first();
        QTest::mouseClick(button, Qt::LeftButton);
        AttentionViewer* viewer = nullptr;
        QTRY_VERIFY((viewer = studio.window->findChild<AttentionViewer*>()) != nullptr);
        QCOMPARE(viewer->overlay().size(), QSize(120, 60)); // the saved map, reloaded from the store
        viewer->close();
        QTRY_VERIFY(studio.window->findChild<AttentionViewer*>() == nullptr);
        studio.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(studio.window.get()));
        QWidget* focus = QApplication::focusWidget() ? QApplication::focusWidget() : studio.window.get();
        QTest::keyClick(focus, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(studio.window->findChild<AttentionViewer*>() != nullptr);
    }

    void rolloutShowsComputingThenAMap()
    {
        ModelHost host(std::make_unique<EngineChatBackend>());
        QSignalSpy loaded(&host, &ModelHost::loaded);
        host.loadModel(m_model); // the model that wrote m_attention, on its worker thread
        QVERIFY(loaded.wait(60000));
        QSignalSpy passes(&host, &ModelHost::rolloutReady);
        AttentionViewer viewer(m_attention);
        viewer.setRolloutRequester(new RolloutRequester(&host, m_attention.rolloutSource, &viewer));
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        auto* method = viewer.findChild<QComboBox*>(QStringLiteral("attentionMethod"));
        auto* legend = viewer.findChild<QLabel*>(QStringLiteral("attentionLegend"));
        auto* tokenLabel = viewer.findChild<QLabel*>(QStringLiteral("attentionTokenLabel"));
        QVERIFY(method && legend && tokenLabel);
        QVERIFY(rolloutItem(method)->isEnabled());
        const QImage captured = viewer.overlay();
        const QImage plain = QImage(m_attention.images[0].imagePath);

        method->setCurrentIndex(1);
        QCOMPARE(legend->text(), QStringLiteral("Computing rollout…"));
        QCOMPARE(viewer.overlay(), plain); // no map until it arrives
        QVERIFY(!viewer.findChild<QComboBox*>(QStringLiteral("attentionHeads"))->isEnabled());
        QVERIFY(!viewer.findChild<QComboBox*>(QStringLiteral("attentionLayerScope"))->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(legend->text().startsWith(QStringLiteral("Rollout over layers 0-1 (every layer)")), 60000);
        QVERIFY(legend->text().contains(QStringLiteral("image share does not apply")));
        QVERIFY(!tokenLabel->text().contains(QStringLiteral("went to images")));
        const QImage rolled = viewer.overlay();
        QCOMPARE(rolled.size(), plain.size());
        QVERIFY(rolled != plain);
        QVERIFY(rolled != captured);
        viewer.showToken(4); // another token, back to captured and to rollout: no second pass
        QVERIFY(viewer.overlay() != rolled);
        viewer.showToken(0);
        method->setCurrentIndex(0);
        QCOMPARE(viewer.overlay(), captured);
        method->setCurrentIndex(1);
        QCOMPARE(viewer.overlay(), rolled); // at once, from the kept result
        QCOMPARE(passes.size(), 1);

        // The From/To boxes choose the rollout's layers: they show the range rolled out (not the captured
        // maps' indices), a new range is one more pass, and a range seen before is at once.
        auto* first = viewer.findChild<QSpinBox*>(QStringLiteral("attentionFirstLayer"));
        auto* last = viewer.findChild<QSpinBox*>(QStringLiteral("attentionLastLayer"));
        QVERIFY(first && last);
        QVERIFY(first->isEnabled() && last->isEnabled());
        QCOMPARE(first->value(), 0);
        QCOMPARE(last->value(), 1);
        QCOMPARE(last->maximum(), 1); // the tiny model's two decoder layers
        first->setValue(1);
        QTRY_VERIFY_WITH_TIMEOUT(legend->text().startsWith(QStringLiteral("Rollout over layers 1-1,")), 60000);
        QCOMPARE(passes.size(), 2);
        const QImage lastLayerOnly = viewer.overlay();
        QVERIFY(lastLayerOnly != rolled);
        first->setValue(0);
        QTRY_VERIFY(legend->text().startsWith(QStringLiteral("Rollout over layers 0-1 (every layer)")));
        QCOMPARE(viewer.overlay(), rolled);
        QCOMPARE(passes.size(), 2);
        method->setCurrentIndex(0); // the captured maps keep their own selection
        QCOMPARE(first->value(), 0);
        QCOMPARE(last->value(), int(m_attention.layerNumbers.size()) - 1);
        QCOMPARE(viewer.overlay(), captured);
        if (const QString dir = qEnvironmentVariable("VORA_SCREENSHOT_DIR"); !dir.isEmpty()) {
            method->setCurrentIndex(1);
            QVERIFY(viewer.grab().save(QDir(dir).filePath(QStringLiteral("attention-viewer-rollout.png"))));
        }
    }

    void rolloutIsDisabledWithTheReason()
    {
        ModelHost host(std::make_unique<EngineChatBackend>()); // no model loaded
        AttentionViewer viewer(m_attention);
        viewer.setRolloutRequester(new RolloutRequester(&host, m_attention.rolloutSource, &viewer));
        auto* method = viewer.findChild<QComboBox*>(QStringLiteral("attentionMethod"));
        QVERIFY(method);
        QVERIFY(!rolloutItem(method)->isEnabled());
        QVERIFY2(rolloutItem(method)->toolTip().contains(QStringLiteral("load ") + m_model), qPrintable(rolloutItem(method)->toolTip()));
        QVERIFY(method->toolTip().contains(QStringLiteral("load ")));

        AnswerAttention reopened = m_attention; // as the database gives it back: no prompt kept
        reopened.rolloutSource.reset();
        AttentionViewer fromStore(reopened);
        fromStore.setRolloutRequester(new RolloutRequester(&host, reopened.rolloutSource, &fromStore));
        auto* storedMethod = fromStore.findChild<QComboBox*>(QStringLiteral("attentionMethod"));
        QVERIFY(!rolloutItem(storedMethod)->isEnabled());
        QVERIFY(rolloutItem(storedMethod)->toolTip().contains(QStringLiteral("regenerate the answer")));
    }

private:
    static QStandardItem* rolloutItem(QComboBox* method)
    {
        return qobject_cast<QStandardItemModel*>(method->model())->item(1);
    }

    QTemporaryDir m_dir;
    QString m_model;
    AnswerAttention m_attention;
};

QTEST_MAIN(TestAttentionViewer)
#include "test_attention_viewer.moc"
