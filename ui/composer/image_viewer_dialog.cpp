#include "ui/common/dialog_buttons.h"
#include "ui/composer/image_viewer_dialog.h"

#include "app/inference/model_view_image.h"
#include "ui/common/theme.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace vora::ui {

ScaledImageView::ScaledImageView(QWidget* parent)
    : QWidget(parent)
{
    setMinimumSize(160, 160);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ScaledImageView::setImage(const QImage& image, bool pixelated)
{
    m_image = image;
    m_pixelated = pixelated;
    update();
}

QRect ScaledImageView::shownRect() const
{
    if (m_image.isNull()) {
        return {};
    }
    const QSize shown = m_image.size().scaled(size(), Qt::KeepAspectRatio);
    return {QPoint((width() - shown.width()) / 2, (height() - shown.height()) / 2), shown};
}

void ScaledImageView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QRect target = shownRect();
    if (target.isEmpty()) {
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, !m_pixelated);
    painter.drawImage(target, m_image);
    if (m_grid > 1) {
        // Magenta shows on black padding and on white image areas alike.
        painter.setPen(QPen(QColor(255, 0, 160, 90), 1));
        for (int i = 1; i < m_grid; ++i) {
            const int x = target.left() + i * target.width() / m_grid;
            const int y = target.top() + i * target.height() / m_grid;
            painter.drawLine(x, target.top(), x, target.bottom());
            painter.drawLine(target.left(), y, target.right(), y);
        }
    }
    painter.setPen(QPen(subtleBorder(palette()), 1));
    painter.drawRect(target.adjusted(0, 0, -1, -1));
}

ImageViewerDialog::ImageViewerDialog(const QImage& image, const QString& name, int imageSize, int patchSize, bool modelSees,
                                     QWidget* parent)
    : QDialog(parent)
    , m_original(new ScaledImageView(this))
    , m_model(new ScaledImageView(this))
    , m_showGrid(new QCheckBox(tr("Show the patch grid"), this))
{
    setWindowTitle(name.isEmpty() ? tr("Image") : name);
    setObjectName(QStringLiteral("imageViewer"));
    setSizeGripEnabled(true);
    resize(980, 600);
    const QImage modelInput = vora::app::modelViewImage(image, imageSize);
    m_original->setObjectName(QStringLiteral("originalImage"));
    m_original->setAccessibleName(tr("The image as it is"));
    m_original->setImage(image, false);
    m_model->setObjectName(QStringLiteral("modelInputImage"));
    m_model->setAccessibleName(tr("What the model sees"));
    // Upscaled pixels stay square (nearest neighbour): the point is to see what the model gets.
    m_model->setImage(modelInput, true);
    const int cells = vora::app::patchesPerSide(imageSize, patchSize);
    m_model->setGrid(cells);

    auto* layout = new QVBoxLayout(this);
    auto* panes = new QGridLayout;
    panes->setHorizontalSpacing(16);
    const auto caption = [this](const QString& title, const QString& detail) {
        auto* label = new QLabel(QStringLiteral("<b>%1</b><br>%2").arg(title.toHtmlEscaped(), detail.toHtmlEscaped()), this);
        label->setAlignment(Qt::AlignHCenter);
        return label;
    };
    panes->addWidget(m_original, 0, 0);
    panes->addWidget(m_model, 0, 1);
    panes->addWidget(caption(tr("Your image"), tr("%1 x %2 pixels").arg(image.width()).arg(image.height())), 1, 0);
    panes->addWidget(modelSees ? caption(tr("What the model sees"),
                                         tr("%1 x %1 pixels, padded to a square, drawn as large as your image").arg(imageSize))
                               : caption(tr("What a VoRA model would see"),
                                         tr("%1 x %1 pixels; the open model reads text only").arg(imageSize)),
                     1, 1);
    panes->setColumnStretch(0, 1);
    panes->setColumnStretch(1, 1);
    layout->addLayout(panes, 1);
    auto* summary = new QLabel(tr("This image costs <b>%1</b>: one token per %2 x %2 pixel patch of the model's input.")
                                   .arg(tokenSummary(imageSize, patchSize))
                                   .arg(patchSize),
                               this);
    summary->setObjectName(QStringLiteral("tokenSummary"));
    summary->setAlignment(Qt::AlignCenter);
    summary->setWordWrap(true);
    layout->addWidget(summary);
    auto* bottom = new QHBoxLayout;
    m_showGrid->setChecked(true);
    connect(m_showGrid, &QCheckBox::toggled, this, [this, cells](bool on) { m_model->setGrid(on ? cells : 0); });
    bottom->addWidget(m_showGrid);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    useTextOnlyButtons(buttons);
    bottom->addWidget(buttons, 1);
    layout->addLayout(bottom);
}

QString ImageViewerDialog::tokenSummary(int imageSize, int patchSize)
{
    const int side = vora::app::patchesPerSide(imageSize, patchSize);
    return tr("%1x%1 = %2 tokens").arg(side).arg(vora::app::visionTokenCount(imageSize, patchSize));
}

} // namespace vora::ui
