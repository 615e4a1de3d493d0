// The sidebar: chats grouped by date with their model and a relative time, "No matches" for a search
// that finds nothing, Ctrl+K to search, Delete asked with "Delete"/"Cancel", and the chat's title as the
// export file name.
#include "app/conversations/conversation_list_model.h"
#include "modal_helper.h"
#include "studio_fixture.h"
#include "ui/conversations/conversation_delegate.h"
#include "ui/conversations/conversation_sidebar.h"
#include "ui/main_window/chat_page.h"

#include <QAbstractButton>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QSqlDatabase>
#include <QSqlQuery>

using vora::app::ConversationListModel;
using vora::tests::StudioFixture;
using vora::tests::withModal;

namespace {

qint64 sendAndWait(StudioFixture& studio, const QString& text)
{
    studio.controller->newConversation();
    if (!studio.controller->send(text, {}) || !studio.waitUntilIdle()) {
        return 0;
    }
    return studio.controller->currentConversationId();
}

// Moves a conversation's last activity days back, through a second connection to the database file.
void age(const StudioFixture& studio, qint64 id, int days)
{
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("age"));
        raw.setDatabaseName(studio.root + QStringLiteral("/data/conversations.sqlite3"));
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        query.prepare(QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"));
        query.addBindValue(QDateTime::currentDateTime().addDays(-days).toMSecsSinceEpoch());
        query.addBindValue(id);
        QVERIFY(query.exec());
        raw.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("age"));
}

} // namespace

class TestSidebar : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void chatsAreGroupedByDateWithModelAndTime()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel());
        studio.window->show();
        const qint64 old = sendAndWait(studio, QStringLiteral("An old question"));
        const qint64 recent = sendAndWait(studio, QStringLiteral("A recent question"));
        const qint64 today = sendAndWait(studio, QStringLiteral("Today's question"));
        age(studio, old, 45);
        age(studio, recent, 3);
        ConversationListModel* list = studio.controller->conversations();
        list->refresh();
        QCOMPARE(list->rowCount(), 3);
        const QStringList titles = {QStringLiteral("Today's question"), QStringLiteral("A recent question"),
                                    QStringLiteral("An old question")};
        const QString oldGroup = QLocale().toString(QDate::currentDate().addDays(-45), QStringLiteral("MMMM yyyy"));
        const QStringList groups = {QStringLiteral("Today"), QStringLiteral("Previous 7 days"), oldGroup};
        QListView* view = studio.window->chatPage()->sidebar()->listView();
        for (int row = 0; row < 3; ++row) {
            const QModelIndex index = list->index(row);
            QCOMPARE(index.data(Qt::DisplayRole).toString(), titles.at(row));
            QCOMPARE(index.data(ConversationListModel::DateGroupRole).toString(), groups.at(row));
            QCOMPARE(index.data(ConversationListModel::ModelNameRole).toString(), QStringLiteral("VoRA-7B-Instruct"));
            QVERIFY(vora::ui::ConversationDelegate::startsGroup(index)); // each row its own group here
            QVERIFY(view->visualRect(index).height() > view->fontMetrics().height() * 3); // heading + two lines
        }
        QCOMPARE(list->index(0).data(ConversationListModel::RelativeTimeRole).toString(), QStringLiteral("now"));
        QCOMPARE(list->rowOf(today), 0);
        // Two chats of the same day: one heading, over the first of them.
        age(studio, today, 3);
        list->refresh();
        QVERIFY(vora::ui::ConversationDelegate::startsGroup(list->index(0)));
        QVERIFY(!vora::ui::ConversationDelegate::startsGroup(list->index(1)));
        QVERIFY(view->visualRect(list->index(1)).height() < view->visualRect(list->index(0)).height());
    }

    void aSearchThatFindsNothingSaysSo()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel());
        studio.window->show();
        QVERIFY(sendAndWait(studio, QStringLiteral("About circles")) != 0);
        vora::ui::ConversationSidebar* sidebar = studio.window->chatPage()->sidebar();
        // Ctrl+K reaches the search field from anywhere in the window.
        studio.window->activateWindow();
        QTest::keyClick(studio.window.get(), Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(sidebar->searchField()->hasFocus());
        QTest::keyClicks(sidebar->searchField(), QStringLiteral("zebra"));
        QVERIFY(sidebar->emptyLabel()->isVisible());
        QCOMPARE(sidebar->emptyLabel()->text(), QStringLiteral("No matches for \u201czebra\u201d."));
        QVERIFY(!sidebar->listView()->isVisible());
        sidebar->searchField()->clear();
        QVERIFY(!sidebar->emptyLabel()->isVisible());
        QCOMPARE(sidebar->listView()->model()->rowCount(), 1);
    }

    void deletingAsksWithDeleteAndCancel()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel());
        studio.window->show();
        const qint64 id = sendAndWait(studio, QStringLiteral("Delete me"));
        QStringList buttons;
        QVERIFY(withModal([&] { studio.window->confirmDelete(id); }, [&](QWidget* dialog) {
            auto* box = qobject_cast<QMessageBox*>(dialog);
            QVERIFY(box);
            QCOMPARE(box->text(), QStringLiteral("Delete \u201cDelete me\u201d?"));
            for (QAbstractButton* button : box->buttons()) {
                buttons.append(button->text());
                QVERIFY(button->icon().isNull()); // no stock style icons
            }
            box->reject(); // Escape: Cancel
        }));
        buttons.sort();
        QCOMPARE(buttons, (QStringList{QStringLiteral("Cancel"), QStringLiteral("Delete")}));
        QVERIFY(studio.store.conversation(id).has_value());
        QVERIFY(withModal([&] { studio.window->confirmDelete(id); }, [](QWidget* dialog) {
            QTest::mouseClick(dialog->findChild<QAbstractButton*>(QStringLiteral("confirmDeleteButton")), Qt::LeftButton);
        }));
        QVERIFY(!studio.store.conversation(id).has_value());
        QCOMPARE(studio.controller->currentConversationId(), 0);
    }

    void theExportIsOfferedUnderTheChatsTitle()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel());
        studio.window->show();
        QVERIFY(sendAndWait(studio, QStringLiteral("Shapes: red/blue?")) != 0);
        QAction* exportMarkdown = nullptr;
        for (QAction* menu : studio.window->menuBar()->actions()) {
            for (QAction* action : menu->menu()->actions()) {
                if (action->text() == QStringLiteral("Export Chat as &Markdown…")) {
                    exportMarkdown = action;
                }
            }
        }
        QVERIFY(exportMarkdown && exportMarkdown->isEnabled());
        QString offered;
        QVERIFY(withModal([&] { exportMarkdown->trigger(); }, [&](QWidget* dialog) {
            auto* files = qobject_cast<QFileDialog*>(dialog);
            QVERIFY(files);
            offered = files->selectedFiles().value(0);
            files->reject();
        }));
        QVERIFY2(offered.endsWith(QStringLiteral("/Shapes red blue.md")), qPrintable(offered));
        // A new chat has nothing to export yet.
        studio.controller->newConversation();
        QVERIFY(!exportMarkdown->isEnabled());
    }
};

QTEST_MAIN(TestSidebar)
#include "test_sidebar.moc"
