#pragma once
// A read-only QTextBrowser as tall as its document at the current width, so messages stack in the chat
// view's scroll area without scroll bars of their own. GUI thread only.
#include <QTextBrowser>

namespace vora::ui {

class AutoHeightTextBrowser : public QTextBrowser {
    Q_OBJECT
public:
    explicit AutoHeightTextBrowser(QWidget* parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitHeight();
};

} // namespace vora::ui
