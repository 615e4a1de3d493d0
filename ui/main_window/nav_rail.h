#pragma once
// The narrow bar on the window's left edge: one icon button per page of the window (Chat today; the
// attention viewer and the fine-tune wizard join it as pages), and Preferences at the bottom.
// GUI thread only.
#include <QWidget>

class QButtonGroup;
class QVBoxLayout;

namespace vora::ui {

class IconButton;

class NavRail : public QWidget {
    Q_OBJECT
public:
    explicit NavRail(QWidget* parent = nullptr);

    // Adds a page button; returns its index (the order pages are added).
    int addPage(const QString& iconName, const QString& title);
    void setCurrentPage(int index);
    IconButton* preferencesButton() const { return m_preferences; }

Q_SIGNALS:
    void pageChosen(int index);
    void preferencesRequested();

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QVBoxLayout* m_pages;
    QButtonGroup* m_group;
    IconButton* m_preferences;
};

} // namespace vora::ui
