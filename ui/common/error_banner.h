#pragma once
// A dismissable banner above the chat for errors: a one-line title and the details (the runtime's
// message) behind a Details toggle. Errors go here, never into the conversation (a failed answer shows
// its error in its message instead). Tinted from the palette, so it reads in light and dark themes.
// GUI thread only.
#include <QFrame>

class QLabel;
class QToolButton;

namespace vora::ui {

class ErrorBanner : public QFrame {
    Q_OBJECT
public:
    explicit ErrorBanner(QWidget* parent = nullptr);

    void showError(const QString& title, const QString& details);
    QString title() const;
    QString details() const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void updateIcon();

    QLabel* m_icon;
    QLabel* m_title;
    QLabel* m_details;
    QToolButton* m_toggle;
};

} // namespace vora::ui
