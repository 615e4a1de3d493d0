#include "ui/main_window/model_header.h"

#include "app/inference/model_host.h"
#include "app/models/recent_models_model.h"
#include "ui/common/icon_button.h"
#include "ui/common/icons.h"
#include "ui/common/theme.h"
#include "ui/common/tone_label.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QProgressBar>
#include <QVBoxLayout>

namespace vora::ui {
namespace {

using vora::app::ModelHost;

// A small round status light: green ready, amber loading, grey none.
class StatusDot : public QWidget {
public:
    explicit StatusDot(QWidget* parent)
        : QWidget(parent)
    {
        setFixedSize(10, 10);
    }
    void setColor(const QColor& color)
    {
        m_color = color;
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(m_color);
        painter.drawEllipse(QRectF(rect()).adjusted(1, 1, -1, -1));
    }

private:
    QColor m_color;
};

QString modelName(const QString& path)
{
    return QFileInfo(path).fileName();
}

} // namespace

ModelHeader::ModelHeader(ModelHost* host, vora::app::RecentModelsModel* recentModels, QWidget* parent)
    : QWidget(parent)
    , m_host(host)
    , m_recentModels(recentModels)
    , m_picker(new IconButton(QStringLiteral("model"), tr("Choose a model"), this))
    , m_eject(new IconButton(QStringLiteral("eject"), tr("Eject the model"), this))
    , m_dot(new StatusDot(this))
    , m_status(new ToneLabel(ToneLabel::Tone::Normal, this))
    , m_details(new ToneLabel(ToneLabel::Tone::Secondary, this))
    , m_progress(new QProgressBar(this))
    , m_noteRow(new QWidget(this))
    , m_note(new ToneLabel(ToneLabel::Tone::Secondary, m_noteRow))
    , m_menu(new QMenu(this))
{
    setObjectName(QStringLiteral("modelHeader"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 4);
    layout->setSpacing(4);
    auto* row = new QHBoxLayout;
    row->setSpacing(8);
    m_picker->setObjectName(QStringLiteral("modelPicker"));
    m_picker->setShowsMenuChevron(true);
    m_picker->setFocusPolicy(Qt::StrongFocus);
    m_picker->setMenu(m_menu);
    m_picker->setPopupMode(QToolButton::InstantPopup);
    QFont bold = m_picker->font();
    bold.setBold(true);
    m_picker->setFont(bold);
    m_eject->setObjectName(QStringLiteral("ejectButton"));
    m_status->setObjectName(QStringLiteral("modelState"));
    m_details->setObjectName(QStringLiteral("modelDetails"));
    m_progress->setObjectName(QStringLiteral("headerLoadProgress"));
    m_progress->setAccessibleName(tr("Model loading progress"));
    m_progress->setRange(0, 100);
    m_progress->setTextVisible(false);
    m_progress->setFixedHeight(4);
    row->addWidget(m_picker);
    row->addWidget(m_dot);
    row->addWidget(m_status);
    row->addWidget(m_details, 1);
    row->addWidget(m_eject);
    layout->addLayout(row);
    layout->addWidget(m_progress);
    auto* noteLayout = new QHBoxLayout(m_noteRow);
    noteLayout->setContentsMargins(4, 0, 4, 2);
    auto* info = new QLabel(m_noteRow);
    info->setPixmap(themedIcon(QStringLiteral("info")).pixmap(16, 16));
    m_note->setObjectName(QStringLiteral("modelNote"));
    m_note->setWordWrap(true);
    noteLayout->addWidget(info, 0, Qt::AlignTop);
    noteLayout->addWidget(m_note, 1);
    layout->addWidget(m_noteRow);

    connect(m_menu, &QMenu::aboutToShow, this, &ModelHeader::fillMenu);
    connect(m_eject, &IconButton::clicked, host, &ModelHost::ejectModel);
    connect(host, &ModelHost::stateChanged, this, [this] {
        m_fraction = 0;
        m_stage.clear();
        refresh();
    });
    connect(host, &ModelHost::loadProgress, this, [this](double fraction, const QString& stage) {
        m_fraction = fraction;
        m_stage = stage;
        refresh();
    });
    connect(host, &ModelHost::loaded, this, &ModelHeader::refresh);
    fillMenu();
    refresh();
}

void ModelHeader::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setPen(subtleBorder(palette()));
    painter.drawLine(0, height() - 1, width(), height() - 1);
}

QString ModelHeader::statusText() const
{
    return m_status->text();
}

QString ModelHeader::detailsText() const
{
    return m_details->text();
}

QString ModelHeader::noteText() const
{
    return m_noteRow->isVisibleTo(this) ? m_note->text() : QString();
}

void ModelHeader::refresh()
{
    auto* dot = static_cast<StatusDot*>(m_dot);
    const vora::app::ModelInfo& info = m_host->info();
    QString note;
    switch (m_host->state()) {
    case ModelHost::ModelState::None:
        m_picker->setText(tr("Choose a model"));
        m_status->setText(tr("No model"));
        m_details->setText(tr("Open a model folder to start chatting"));
        dot->setColor(secondaryText(palette()));
        break;
    case ModelHost::ModelState::Loading:
        m_picker->setText(modelName(m_host->loadingPath()));
        m_status->setText(tr("Loading… %1%").arg(qRound(m_fraction * 100)));
        m_details->setText(m_stage);
        dot->setColor(warningColor(palette()));
        break;
    case ModelHost::ModelState::Ready:
        m_picker->setText(info.name);
        m_status->setText(tr("Ready"));
        m_details->setText(tr("%1 · %2 · %3-token context")
                               .arg(info.device, info.dtype, QLocale().toString(info.maxContext)));
        dot->setColor(isDark(palette()) ? QColor(80, 200, 120) : QColor(22, 150, 70));
        note = info.note;
        if (!info.hasVision) {
            note += (note.isEmpty() ? QString() : QStringLiteral(" ")) + tr("This model reads text only: it cannot look at images.");
        }
        break;
    }
    m_picker->setToolTip(m_host->state() == ModelHost::ModelState::Ready ? QDir::toNativeSeparators(info.path)
                                                                         : tr("Choose a model"));
    m_picker->updateGeometry();
    m_progress->setVisible(m_host->state() == ModelHost::ModelState::Loading);
    m_progress->setValue(qRound(m_fraction * 100));
    m_eject->setEnabled(m_host->state() != ModelHost::ModelState::None);
    m_eject->setToolTip(m_host->state() == ModelHost::ModelState::None ? tr("No model to eject")
                                                                       : tr("Eject the model (frees its memory)"));
    m_note->setText(note);
    m_noteRow->setVisible(!note.isEmpty());
}

void ModelHeader::fillMenu()
{
    m_menu->clear();
    m_menu->addSection(tr("Recent models"));
    const QString current = m_host->state() == ModelHost::ModelState::Ready ? QDir::cleanPath(m_host->info().path)
                                                                              : QDir::cleanPath(m_host->loadingPath());
    for (const QString& path : m_recentModels->paths()) {
        QAction* action = m_menu->addAction(modelName(path), this, [this, path] { Q_EMIT modelChosen(path); });
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setCheckable(true);
        action->setChecked(path == current);
        action->setEnabled(QFileInfo(path).isDir());
    }
    if (m_recentModels->paths().isEmpty()) {
        m_menu->addAction(tr("None yet"))->setEnabled(false);
    }
    m_menu->addSeparator();
    m_menu->addAction(themedIcon(QStringLiteral("folder-open")), tr("Open a model folder…"), this, &ModelHeader::openRequested);
    QAction* eject = m_menu->addAction(themedIcon(QStringLiteral("eject")), tr("Eject the model"), m_host, &ModelHost::ejectModel);
    eject->setEnabled(m_host->state() != ModelHost::ModelState::None);
}

} // namespace vora::ui
