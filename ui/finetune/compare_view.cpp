#include "ui/finetune/compare_view.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::ComparisonAnswer;
using vora::app::ModelComparison;

CompareView::CompareView(BackendFactory makeBackend, QWidget* parent)
    : QWidget(parent)
    , m_makeBackend(std::move(makeBackend))
    , m_image(new QLineEdit(this))
    , m_question(new QLineEdit(this))
    , m_maxNewTokens(new QSpinBox(this))
    , m_compare(new QPushButton(tr("Compare"), this))
    , m_note(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* form = new QFormLayout;
    auto* imageRow = new QHBoxLayout;
    auto* browse = new QPushButton(tr("Choose…"), this);
    imageRow->addWidget(m_image, 1);
    imageRow->addWidget(browse);
    m_image->setPlaceholderText(tr("No image: the question alone"));
    form->addRow(tr("Image"), imageRow);
    form->addRow(tr("Question"), m_question);
    m_maxNewTokens->setRange(1, 4096);
    m_maxNewTokens->setValue(64);
    form->addRow(tr("Max new tokens"), m_maxNewTokens);
    layout->addLayout(form);
    auto* buttonRow = new QHBoxLayout;
    buttonRow->addWidget(m_compare);
    m_note->setWordWrap(true);
    m_note->setText(tr("Both answer greedily (the most likely token each step), so the same inputs give the same answers."));
    buttonRow->addWidget(m_note, 1);
    layout->addLayout(buttonRow);
    auto* panes = new QHBoxLayout;
    for (int side = 0; side < ModelComparison::kSides; ++side) {
        auto* box = new QGroupBox(side == 0 ? tr("Base") : tr("Tuned"), this);
        m_panes[side] = makePane(box);
        panes->addWidget(box, 1);
    }
    layout->addLayout(panes, 1);
    connect(browse, &QPushButton::clicked, this, &CompareView::chooseImage);
    connect(m_compare, &QPushButton::clicked, this, &CompareView::compare);
    connect(m_question, &QLineEdit::returnPressed, this, [this] {
        if (!isComparing()) {
            compare();
        }
    });
}

CompareView::Pane CompareView::makePane(QWidget* box)
{
    auto* layout = new QVBoxLayout(box);
    Pane pane{new QLabel(box), new QPlainTextEdit(box), new QLabel(box)};
    pane.title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = pane.title->font();
    bold.setBold(true);
    pane.title->setFont(bold);
    pane.answer->setReadOnly(true);
    pane.status->setWordWrap(true);
    pane.status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(pane.title);
    layout->addWidget(pane.answer, 1);
    layout->addWidget(pane.status);
    return pane;
}

void CompareView::setModels(const QString& baseDir, const QString& tunedDir)
{
    m_dirs = {baseDir, tunedDir};
    for (int side = 0; side < ModelComparison::kSides; ++side) {
        m_panes[side].title->setText(QFileInfo(m_dirs[side]).fileName());
        m_panes[side].title->setToolTip(m_dirs[side]);
    }
}

void CompareView::setSample(const QString& imagePath, const QString& question)
{
    m_image->setText(imagePath);
    m_question->setText(question);
}

void CompareView::chooseImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose an image"), QFileInfo(m_image->text()).absolutePath(),
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp *.ppm *.webp);;All files (*)"));
    if (!path.isEmpty()) {
        m_image->setText(path);
    }
}

void CompareView::compare()
{
    if (isComparing()) {
        m_comparison->cancel();
        m_compare->setText(tr("Compare"));
        m_note->setText(tr("Stopped."));
        for (const Pane& pane : m_panes) {
            if (!pane.answered) {
                pane.status->setText(tr("Stopped."));
            }
        }
        return;
    }
    if (m_question->text().trimmed().isEmpty()) {
        m_note->setText(tr("Write a question first."));
        return;
    }
    // A fresh worker each time: nothing of an earlier comparison stays in memory between runs.
    m_comparison = std::make_unique<ModelComparison>(m_makeBackend());
    connect(m_comparison.get(), &ModelComparison::sideLoading, this, [this](int side, const QString& dir) {
        m_panes[side].answer->clear();
        m_panes[side].status->setText(tr("Loading %1…").arg(QFileInfo(dir).fileName()));
        m_note->setText(side == 0 ? tr("Loading the base model; the tuned model loads after it answers (one model in memory at a time).")
                                  : tr("Loading the tuned model (the base model is unloaded first)."));
    });
    connect(m_comparison.get(), &ModelComparison::sideText, this, [this](int side, const QString& text) {
        QPlainTextEdit* answer = m_panes[side].answer;
        answer->moveCursor(QTextCursor::End);
        answer->insertPlainText(text);
        m_panes[side].status->setText(tr("Answering…"));
    });
    connect(m_comparison.get(), &ModelComparison::sideFinished, this, &CompareView::showFinished);
    connect(m_comparison.get(), &ModelComparison::sideFailed, this, &CompareView::showFailed);
    connect(m_comparison.get(), &ModelComparison::finished, this, [this] {
        m_compare->setText(tr("Compare"));
        m_note->setText(tr("Done: both answered greedily with the same budget; run it again and the answers repeat."));
    });
    for (Pane& pane : m_panes) {
        pane.answer->clear();
        pane.status->setText(tr("Waiting…"));
        pane.answered = false;
    }
    vora::app::ComparisonRequest request;
    request.imagePath = m_image->text().trimmed();
    request.question = m_question->text();
    request.maxNewTokens = m_maxNewTokens->value();
    request.load = m_load;
    m_compare->setText(tr("Stop"));
    m_comparison->start(m_dirs[0], m_dirs[1], request);
}

void CompareView::showFinished(int side, const ComparisonAnswer& answer)
{
    m_panes[side].answered = true;
    m_panes[side].answer->setPlainText(answer.text); // the whole answer, as the streamed pieces add up to
    QString status = tr("Loaded in %1 s · answered in %2 s · %3 tokens, %4 tokens/s")
                         .arg(answer.loadSeconds, 0, 'f', 2)
                         .arg(answer.answerSeconds, 0, 'f', 2)
                         .arg(answer.stats.generatedTokens)
                         .arg(answer.stats.decodeTokensPerSecond, 0, 'f', 1);
    if (answer.withoutImage) {
        status += QLatin1Char('\n') + tr("This model reads text only: it was asked the question without the image.");
    }
    m_panes[side].status->setText(status);
}

void CompareView::showFailed(int side, const QString& message)
{
    m_panes[side].answered = true;
    m_panes[side].answer->clear();
    m_panes[side].status->setText(tr("<span style='color:#c0392b'>Failed:</span> %1").arg(message.toHtmlEscaped()));
}

} // namespace vora::ui
