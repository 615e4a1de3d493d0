#pragma once
// Shown while no model is loaded and no conversation is open: what the app does, "Open a model
// folder…", and the recently opened models. GUI thread only.
#include <QWidget>

class QLabel;
class QListView;

namespace vora::app {
class RecentModelsModel;
}

namespace vora::ui {

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    // recentModels must outlive the page.
    explicit WelcomePage(vora::app::RecentModelsModel* recentModels, QWidget* parent = nullptr);

Q_SIGNALS:
    void openRequested();
    void recentChosen(const QString& path);

private:
    void updateRecentVisibility();

    vora::app::RecentModelsModel* m_recentModels;
    QLabel* m_recentTitle;
    QListView* m_recentView;
};

} // namespace vora::ui
