// The look stays native and follows the palette: every icon button draws an icon from
// resources/icons (never a theme or style fallback) in the palette's colour, and redraws in the new
// colour when the palette turns dark; a focused icon button shows a focus ring in the highlight
// colour; dialog buttons carry no stock icons; the banner and the user's bubble are tinted from the
// palette, so they read in light and dark. The chat column keeps a readable width.
#include "app/chat/message_list_model.h"
#include "studio_fixture.h"
#include "ui/chat/chat_view.h"
#include "ui/chat/message_widget.h"
#include "ui/common/error_banner.h"
#include "ui/common/icon_button.h"
#include "ui/common/icons.h"
#include "ui/common/theme.h"
#include "ui/composer/composer_widget.h"
#include "ui/settings/chat_settings_dialog.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDialogButtonBox>
#include <QPushButton>

#include <cstdlib>

using vora::tests::StudioFixture;

namespace {

// The opaque pixels' average colour.
QColor inkOf(const QImage& image)
{
    double r = 0, g = 0, b = 0;
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.alpha() > 200) {
                r += c.red();
                g += c.green();
                b += c.blue();
                ++count;
            }
        }
    }
    return count == 0 ? QColor() : QColor(int(r / count), int(g / count), int(b / count));
}

int distance(const QColor& a, const QColor& b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

int pixelsNear(const QImage& image, const QColor& colour, int tolerance)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            count += distance(image.pixelColor(x, y), colour) <= tolerance ? 1 : 0;
        }
    }
    return count;
}

} // namespace

class TestLook : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { vora::ui::applyColorScheme(*qApp, vora::ui::ColorScheme::Light); }

    void everyIconButtonDrawsAnIconFromTheResources()
    {
        QIcon::setThemeName(QStringLiteral("no-such-theme")); // a theme fallback would draw nothing
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = {QStringLiteral("answer")};
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(studio.controller->send(QStringLiteral("question"), {}));
        QVERIFY(studio.waitUntilIdle());
        const auto buttons = studio.window->findChildren<vora::ui::IconButton*>();
        QVERIFY(buttons.size() >= 12); // rail, header, sidebar, composer, message actions
        const QColor text = qApp->palette().color(QPalette::ButtonText);
        for (vora::ui::IconButton* button : buttons) {
            QVERIFY2(vora::ui::iconExists(button->iconName()), qPrintable(button->iconName()));
            const QImage drawn = button->icon().pixmap(24, 24).toImage();
            const QColor ink = inkOf(drawn);
            QVERIFY2(ink.isValid(), qPrintable(button->objectName() + QLatin1Char(' ') + button->iconName()));
            if (button->kind() == vora::ui::IconButton::Kind::Flat) {
                QVERIFY2(distance(ink, text) < 60, qPrintable(button->iconName() + QLatin1Char(' ') + ink.name()));
            }
        }
    }

    void iconsRedrawInTheNewPaletteColour()
    {
        const QIcon send = vora::ui::themedIcon(QStringLiteral("send"));
        const QColor lightInk = inkOf(send.pixmap(24, 24).toImage());
        QVERIFY(lightInk.lightnessF() < 0.4); // dark strokes on a light theme
        vora::ui::applyColorScheme(*qApp, vora::ui::ColorScheme::Dark);
        const QColor darkInk = inkOf(send.pixmap(24, 24).toImage()); // the same QIcon object
        QVERIFY(darkInk.lightnessF() > 0.7);
        QVERIFY(distance(darkInk, qApp->palette().color(QPalette::ButtonText)) < 60);
        QVERIFY(vora::ui::themedIcon(QStringLiteral("no-such-icon")).isNull());
    }

    void aFocusedIconButtonShowsAFocusRing()
    {
        QWidget window;
        auto* first = new vora::ui::IconButton(QStringLiteral("copy"), QStringLiteral("Copy"), &window);
        auto* second = new vora::ui::IconButton(QStringLiteral("edit"), QStringLiteral("Edit"), &window);
        second->move(60, 0);
        window.resize(120, 50);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const QColor highlight = qApp->palette().color(QPalette::Highlight);
        first->setFocus(Qt::TabFocusReason);
        QTRY_VERIFY(first->hasFocus());
        QVERIFY(pixelsNear(first->grab().toImage(), highlight, 40) > 20);
        QCOMPARE(pixelsNear(second->grab().toImage(), highlight, 40), 0);
        // Tab moves the ring; a mouse click does not take focus (no ring left behind after clicking).
        QTest::keyClick(first, Qt::Key_Tab);
        QTRY_VERIFY(second->hasFocus());
        QCOMPARE(first->focusPolicy(), Qt::TabFocus);
    }

    void dialogButtonsCarryNoStockIcons()
    {
        StudioFixture studio;
        vora::ui::ChatSettingsDialog dialog(QStringLiteral("Chat"), {}, {}, &studio.appSettings);
        const auto buttons = dialog.findChild<QDialogButtonBox*>()->buttons();
        QCOMPARE(buttons.size(), 3); // Save, Cancel, Use the defaults
        for (QAbstractButton* button : buttons) {
            QVERIFY2(button->icon().isNull(), qPrintable(button->text()));
        }
    }

    void theBannerAndTheBubbleFollowTheTheme()
    {
        for (const auto scheme : {vora::ui::ColorScheme::Light, vora::ui::ColorScheme::Dark}) {
            vora::ui::applyColorScheme(*qApp, scheme);
            StudioFixture studio;
            vora::app::FakeChatScript script;
            script.pieces = {QStringLiteral("answer")};
            QVERIFY(studio.loadModel(script));
            studio.window->show();
            QVERIFY(studio.controller->send(QStringLiteral("question"), {}));
            QVERIFY(studio.waitUntilIdle());
            studio.window->errorBanner()->showError(QStringLiteral("Title"), QStringLiteral("Details"));
            QApplication::processEvents();
            const QPalette palette = qApp->palette();
            const QColor base = palette.color(QPalette::Base);
            const QImage banner = studio.window->errorBanner()->grab().toImage();
            const QColor fill = banner.pixelColor(banner.width() / 2, banner.height() - 6);
            QVERIFY2(distance(fill, base) < 90, qPrintable(fill.name() + QLatin1Char(' ') + base.name())); // a tint of Base
            QVERIFY(fill.red() > fill.blue()); // towards red
            auto* bubble = studio.window->chatView()->messageWidget(0)->findChild<QWidget*>(QStringLiteral("userBubble"));
            const QImage shot = bubble->grab().toImage();
            const QColor bubbleFill = shot.pixelColor(4, shot.height() / 2);
            QCOMPARE(bubbleFill.name(), vora::ui::bubbleColor(palette).name());
        }
    }

    // A chat column of readable width: on a wide window the turns and the composer are at most
    // ChatView::kColumnWidth wide and centred in the chat area; on a narrow one they use the room there is.
    void theChatColumnHasAReadableWidth()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = {QString(QStringLiteral("a long answer ")).repeated(60)};
        QVERIFY(studio.loadModel(script));
        studio.window->resize(1800, 900);
        studio.window->show();
        QVERIFY(studio.controller->send(QString(QStringLiteral("a long question ")).repeated(40), {}));
        QVERIFY(studio.waitUntilIdle());
        QApplication::processEvents();
        vora::ui::ChatView* view = studio.window->chatView();
        const int area = view->viewport()->width();
        QVERIFY2(area > vora::ui::ChatView::kColumnWidth + 200, qPrintable(QString::number(area)));
        for (int row = 0; row < 2; ++row) {
            QWidget* turn = view->messageWidget(row);
            const QRect r(turn->mapTo(view->viewport(), QPoint(0, 0)), turn->size());
            QVERIFY2(r.width() <= vora::ui::ChatView::kColumnWidth && r.width() > vora::ui::ChatView::kColumnWidth - 40,
                     qPrintable(QString::number(r.width())));
            QVERIFY2(std::abs(r.center().x() - area / 2) <= 10, qPrintable(QStringLiteral("%1 of %2").arg(r.center().x()).arg(area)));
        }
        QVERIFY(studio.window->composer()->width() <= vora::ui::ChatView::kColumnWidth);

        studio.window->resize(800, 900); // narrower than the column: the turns take the chat area's width
        QApplication::processEvents();
        const int narrow = view->viewport()->width();
        QVERIFY(narrow < vora::ui::ChatView::kColumnWidth);
        QVERIFY2(view->messageWidget(1)->width() >= narrow - 60, qPrintable(QString::number(view->messageWidget(1)->width())));
    }
};

QTEST_MAIN(TestLook)
#include "test_look.moc"
