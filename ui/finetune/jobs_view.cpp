#include "ui/finetune/jobs_view.h"

#include "app/finetune/job_error.h"
#include "app/finetune/job_list_model.h"
#include "app/finetune/training_job_queue.h"

#include <QApplication>
#include <QGridLayout>
#include <QLabel>
#include <QListView>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::JobListModel;

namespace {

// Two lines per job: the title, then "state · step S of N · device".
class JobDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const override
    {
        return {option.rect.width(), option.fontMetrics.height() * 2 + 12};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        background.text.clear();
        QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &background, painter, option.widget);
        const bool selected = option.state & QStyle::State_Selected;
        const QRect area = option.rect.adjusted(8, 4, -8, -4);
        const int line = option.fontMetrics.height();
        painter->save();
        painter->setPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->drawText(QRect(area.left(), area.top(), area.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(index.data().toString(), Qt::ElideRight, area.width()));
        QString detail = index.data(JobListModel::StateRole).toString();
        const int total = index.data(JobListModel::TotalStepsRole).toInt();
        if (total > 0) {
            detail += QObject::tr(" · step %1 of %2").arg(index.data(JobListModel::StepRole).toInt()).arg(total);
        }
        detail += QStringLiteral(" · ") + index.data(JobListModel::DeviceRole).toString();
        painter->setFont(option.font);
        painter->setPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::PlaceholderText));
        painter->drawText(QRect(area.left(), area.top() + line + 2, area.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                          option.fontMetrics.elidedText(detail, Qt::ElideRight, area.width()));
        painter->restore();
    }
};

} // namespace

JobsView::JobsView(vora::app::TrainingJobQueue* queue, QWidget* parent)
    : QWidget(parent)
    , m_queue(queue)
    , m_model(new JobListModel(queue, this))
    , m_list(new QListView(this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_resume(new QPushButton(tr("Resume"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_show(new QPushButton(tr("Show"), this))
    , m_compare(new QPushButton(tr("Compare"), this))
{
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("<b>Jobs</b>"), this);
    layout->addWidget(title);
    m_list->setModel(m_model);
    m_list->setItemDelegate(new JobDelegate(m_list));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(m_list, 1);
    auto* buttons = new QGridLayout;
    buttons->addWidget(m_pause, 0, 0);
    buttons->addWidget(m_resume, 0, 1);
    buttons->addWidget(m_cancel, 1, 0);
    buttons->addWidget(m_show, 1, 1);
    buttons->addWidget(m_compare, 2, 0, 1, 2);
    layout->addLayout(buttons);
    m_resume->setToolTip(tr("Continue a paused or interrupted training from its last checkpoint"));
    m_show->setToolTip(tr("Follow this training on the run page"));
    m_compare->setToolTip(tr("Answer one image and question with the base and the merged model side by side"));

    const auto act = [this](void (vora::app::TrainingJobQueue::*action)(qint64)) {
        try {
            (m_queue->*action)(selectedId());
        } catch (const vora::app::JobError&) {
            // The state changed under the click; the buttons follow it below.
        }
        updateButtons();
    };
    connect(m_pause, &QPushButton::clicked, this, [act] { act(&vora::app::TrainingJobQueue::pause); });
    connect(m_resume, &QPushButton::clicked, this, [act] { act(&vora::app::TrainingJobQueue::resume); });
    connect(m_cancel, &QPushButton::clicked, this, [act] { act(&vora::app::TrainingJobQueue::cancel); });
    connect(m_show, &QPushButton::clicked, this, [this] { Q_EMIT showRequested(selectedId()); });
    connect(m_compare, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(selectedId()); });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, &JobsView::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &JobsView::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &JobsView::updateButtons);
    updateButtons();
}

qint64 JobsView::selectedId() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? current.data(JobListModel::IdRole).toLongLong() : 0;
}

void JobsView::select(qint64 jobId)
{
    const int row = m_model->rowOf(jobId);
    if (row >= 0) {
        m_list->setCurrentIndex(m_model->index(row));
    }
}

void JobsView::updateButtons()
{
    const QModelIndex current = m_list->currentIndex();
    m_pause->setEnabled(current.data(JobListModel::CanPauseRole).toBool());
    m_resume->setEnabled(current.data(JobListModel::CanResumeRole).toBool());
    m_cancel->setEnabled(current.data(JobListModel::CanCancelRole).toBool());
    const QString kind = current.data(JobListModel::KindRole).toString();
    m_show->setEnabled(kind == QLatin1String("train"));
    m_compare->setEnabled(kind == QLatin1String("merge") && current.data(JobListModel::StateRole).toString() == QLatin1String("done"));
}

} // namespace vora::ui
