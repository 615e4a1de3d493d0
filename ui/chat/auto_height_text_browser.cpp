#include "ui/chat/auto_height_text_browser.h"

#include <QAbstractTextDocumentLayout>
#include <QScrollBar>

#include <cmath>

namespace vora::ui {

AutoHeightTextBrowser::AutoHeightTextBrowser(QWidget* parent)
    : QTextBrowser(parent)
{
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setOpenExternalLinks(true);
    setTextInteractionFlags(Qt::TextBrowserInteraction | Qt::TextSelectableByKeyboard);
    viewport()->setAutoFillBackground(false);
    document()->setDocumentMargin(2);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            &AutoHeightTextBrowser::fitHeight);
}

QSize AutoHeightTextBrowser::sizeHint() const
{
    return {QTextBrowser::sizeHint().width(), height()};
}

QSize AutoHeightTextBrowser::minimumSizeHint() const
{
    return {50, height()};
}

void AutoHeightTextBrowser::resizeEvent(QResizeEvent* event)
{
    QTextBrowser::resizeEvent(event);
    fitHeight();
}

void AutoHeightTextBrowser::fitHeight()
{
    document()->setTextWidth(viewport()->width());
    const int wanted = static_cast<int>(std::ceil(document()->size().height())) + frameWidth() * 2;
    if (wanted != height()) {
        setFixedHeight(wanted);
        updateGeometry();
    }
}

} // namespace vora::ui
