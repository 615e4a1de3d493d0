#pragma once
// A dismissable banner above the chat for errors: a one-line title and the details (the runtime's
// message) behind a Details toggle. Errors go here, never into the conversation. GUI thread only.
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

private:
    QLabel* m_title;
    QLabel* m_details;
    QToolButton* m_toggle;
};

} // namespace vora::ui
