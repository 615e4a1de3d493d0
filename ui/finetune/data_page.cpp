#include "ui/finetune/data_page.h"

#include "app/finetune/dataset_import.h"
#include "app/finetune/job_error.h"
#include "app/finetune/vora_json_job.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/wizard_state.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace vora::ui {

using namespace vora::app;

namespace {

constexpr int kPreviewSamples = 6;

QString histogramHtml(const QMap<int, int>& histogram)
{
    int most = 1;
    for (const int count : histogram) {
        most = std::max(most, count);
    }
    QString rows;
    for (auto it = histogram.begin(); it != histogram.end(); ++it) {
        rows += QStringLiteral("<tr><td align=right>≥ %1</td><td><span style='color:palette(highlight)'>%2</span> %3</td></tr>")
                    .arg(it.key())
                    .arg(QString(std::max(1, 24 * it.value() / most), QChar(0x2588)))
                    .arg(it.value());
    }
    return rows.isEmpty() ? QString() : QStringLiteral("<table cellspacing=2>%1</table>").arg(rows);
}

} // namespace

DataPage::DataPage(const FinetuneContext& context, WizardState& state, QWidget* parent)
    : WizardPage(tr("Data"), state, parent)
    , m_context(context)
    , m_file(new QLineEdit(this))
    , m_root(new QLineEdit(this))
    , m_valPercent(new QSpinBox(this))
    , m_valFile(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_problems(new QTreeWidget(this))
    , m_preview(new QTextBrowser(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* grid = new QGridLayout;
    auto* browse = new QPushButton(tr("Choose file…"), this);
    auto* import = new QPushButton(tr("Import captions…"), this);
    import->setToolTip(tr("A folder of images with .txt captions beside them, or a CSV with image and caption columns"));
    m_file->setPlaceholderText(tr("JSON lines: {\"id\", \"frames\": [...], \"conversations\": [...]}"));
    m_root->setPlaceholderText(tr("Image root (default: the file's folder)"));
    grid->addWidget(new QLabel(tr("Data file"), this), 0, 0);
    grid->addWidget(m_file, 0, 1);
    grid->addWidget(browse, 0, 2);
    grid->addWidget(new QLabel(tr("Images"), this), 1, 0);
    grid->addWidget(m_root, 1, 1);
    grid->addWidget(import, 1, 2);
    // Every run reports a validation loss: a held-out share of the data unless a separate file is given.
    auto* validation = new QHBoxLayout;
    m_valPercent->setRange(0, 50);
    m_valPercent->setSuffix(tr(" % held out"));
    m_valPercent->setValue(state.validationPercent);
    m_valPercent->setToolTip(tr("This share of the samples (chosen by the seed) is kept out of training and gives the "
                                "validation loss (vora train --val-share)"));
    m_valFile->setPlaceholderText(tr("or a validation file (same format and image root)"));
    auto* browseValidation = new QPushButton(tr("Choose…"), this);
    validation->addWidget(m_valPercent);
    validation->addWidget(m_valFile, 1);
    grid->addWidget(new QLabel(tr("Validation"), this), 2, 0);
    grid->addLayout(validation, 2, 1);
    grid->addWidget(browseValidation, 2, 2);
    layout->addLayout(grid);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("dataSummary"));
    layout->addWidget(m_summary);
    m_problems->setHeaderLabels({tr("Line"), tr("Problem"), tr("Reason")});
    m_problems->setRootIsDecorated(false);
    m_problems->header()->setStretchLastSection(true);
    m_problems->setVisible(false);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_problems);
    split->addWidget(m_preview);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2); // the samples get the room; the problem list scrolls
    layout->addWidget(split, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Training data"), {}, tr("JSON lines (*.jsonl *.json);;All files (*)"));
        if (!file.isEmpty()) {
            setDataFile(file, m_root->text());
        }
    });
    connect(import, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder of captioned images"));
        if (!folder.isEmpty()) {
            importCaptions(folder);
        }
    });
    connect(browseValidation, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Validation data"), {}, tr("JSON lines (*.jsonl *.json);;All files (*)"));
        if (!file.isEmpty()) {
            setValidationFile(file);
        }
    });
    connect(m_valPercent, &QSpinBox::valueChanged, this, [this](int percent) { this->state().validationPercent = percent; });
    connect(m_valFile, &QLineEdit::editingFinished, this, [this] { setValidationFile(m_valFile->text()); });
    connect(m_file, &QLineEdit::editingFinished, this, [this] { setDataFile(m_file->text(), m_root->text()); });
    connect(m_root, &QLineEdit::editingFinished, this, [this] { setDataFile(m_file->text(), m_root->text()); });
}

void DataPage::setDataFile(const QString& file, const QString& imageRoot)
{
    m_file->setText(file);
    m_root->setText(imageRoot);
    m_importNote.clear();
    state().dataFile = file;
    state().imageRoot = imageRoot;
    check();
}

void DataPage::setValidationPercent(int percent)
{
    m_valPercent->setValue(percent); // the spin box clamps to 0-50 and updates the state
}

void DataPage::setValidationFile(const QString& file)
{
    m_valFile->setText(file.trimmed());
    state().validationFile = file.trimmed();
    m_valPercent->setEnabled(state().validationFile.isEmpty()); // a file replaces the held-out share
}

void DataPage::importCaptions(const QString& folderOrCsv)
{
    const QString out = QDir(m_context.runsDirectory)
                            .filePath(QStringLiteral("imported-%1.jsonl").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    try {
        QDir().mkpath(m_context.runsDirectory);
        const bool csv = QFileInfo(folderOrCsv).isFile();
        const ImportResult result = csv ? importCaptionCsv(folderOrCsv, out) : importCaptionFolder(folderOrCsv, out);
        setDataFile(out, csv ? QFileInfo(folderOrCsv).absolutePath() : folderOrCsv);
        if (!result.skipped.isEmpty()) {
            m_importNote = tr("<br>Import skipped %n item(s): %1", nullptr, static_cast<int>(result.skipped.size()))
                               .arg(result.skipped.join(QStringLiteral("; ")).toHtmlEscaped());
        }
    } catch (const JobError& error) {
        m_error = QString::fromUtf8(error.what());
        m_summary->setText(tr("<b>Could not import.</b> %1").arg(m_error.toHtmlEscaped()));
        Q_EMIT blockerChanged();
    }
}

void DataPage::check()
{
    if (m_job) { // a newer file replaces the check of the older one
        m_job->disconnect(this);
        m_job->deleteLater();
        m_job = nullptr;
    }
    state().check.reset();
    m_error.clear();
    m_problems->clear();
    m_problems->setVisible(false);
    m_preview->clear();
    if (state().dataFile.isEmpty()) {
        m_summary->clear();
        Q_EMIT blockerChanged();
        return;
    }
    const DataCheckRequest request{state().dataFile, state().imageRoot, state().base ? state().base->folder : QString(),
                                   state().values.value(QStringLiteral("max-text-len")).toInt(2048)};
    m_job = new VoraJsonJob(m_context.voraExecutable, dataCheckArguments(request), {0, 1}, this);
    connect(m_job, &VoraJsonJob::finished, this, [this](const QJsonObject& answer) {
        try {
            showCheck(dataCheckFromJson(answer, state().dataFile));
        } catch (const JobError& error) {
            checkFailed(QString::fromUtf8(error.what()));
        }
    });
    connect(m_job, &VoraJsonJob::failed, this, &DataPage::checkFailed);
    m_summary->setText(tr("Checking %1 …").arg(QFileInfo(state().dataFile).fileName().toHtmlEscaped()));
    Q_EMIT blockerChanged();
    m_job->start();
}

void DataPage::checkFailed(const QString& message)
{
    m_job->deleteLater();
    m_job = nullptr;
    m_error = message;
    m_summary->setText(tr("<b>Could not check the data.</b> %1").arg(m_error.toHtmlEscaped()));
    Q_EMIT blockerChanged();
}

void DataPage::showCheck(const DataCheckSummary& summary)
{
    m_job->deleteLater();
    m_job = nullptr;
    state().check = summary;
    QList<DataLineProblem> problems = summary.problems;
    std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    for (const DataLineProblem& problem : problems) {
        auto* item = new QTreeWidgetItem(m_problems, {QString::number(problem.line), problem.kind, problem.message});
        item->setData(0, Qt::UserRole, problem.line);
        item->setToolTip(2, problem.message); // a parser's message can be longer than the column
    }
    m_problems->setVisible(!problems.isEmpty());
    m_problems->resizeColumnToContents(0);
    m_problems->resizeColumnToContents(1);
    const int refused = summary.lines - summary.goodSamples;
    m_summary->setText(tr("<b>%1 of %2 lines usable</b> (%3 with images, %4 text only)%5%6")
                           .arg(summary.goodSamples)
                           .arg(summary.lines)
                           .arg(summary.imageSamples)
                           .arg(summary.textOnlySamples)
                           .arg(refused > 0 ? tr(" · <span style='color:#c0392b'>%n bad line(s) listed below: fix them or the "
                                                 "trainer refuses the file</span>",
                                                 nullptr, refused)
                                            : QString())
                           .arg(summary.maxTextTokens > 0 ? tr("<br>Longest sample: %1 text tokens").arg(summary.maxTextTokens) : QString())
                       + m_importNote);
    showPreview();
    if (!summary.lengthHistogram.isEmpty()) {
        m_preview->append(tr("<h4>Text tokens per sample</h4>") + histogramHtml(summary.lengthHistogram));
    }
    Q_EMIT blockerChanged();
}

void DataPage::showPreview()
{
    QString html;
    try {
        for (const PreviewSample& sample : readPreviewSamples(state().dataFile, state().imageRoot, kPreviewSamples)) {
            QString images;
            for (const QString& frame : sample.framePaths) {
                images += QStringLiteral("<img src='%1' width=56 height=56> ").arg(QUrl::fromLocalFile(frame).toString());
            }
            QString turns;
            for (const PreviewTurn& turn : sample.turns) {
                const QString text = turn.text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
                turns += turn.trained ? QStringLiteral("<div style='background-color:rgba(46,160,67,0.18)'><b>%1 (trained)</b>: %2</div>").arg(turn.role, text)
                                      : QStringLiteral("<div><i>%1</i>: %2</div>").arg(turn.role, text);
            }
            html += QStringLiteral("<table width=100%><tr><td width=64 valign=top>%1</td><td valign=top><small>line %2 · id %3</small>%4</td></tr></table><hr>")
                        .arg(images)
                        .arg(sample.line)
                        .arg(sample.id.toHtmlEscaped(), turns);
        }
    } catch (const JobError& error) {
        html = QString::fromUtf8(error.what()).toHtmlEscaped();
    }
    m_preview->setHtml(tr("<h4>Samples</h4>") + html);
}

QString DataPage::blocker() const
{
    if (state().dataFile.isEmpty()) {
        return tr("Choose training data");
    }
    if (m_job) {
        return tr("Checking the data…");
    }
    if (!m_error.isEmpty() || !state().check) {
        return tr("The data could not be checked");
    }
    return state().check->usable() ? QString() : tr("Fix the bad lines first");
}

} // namespace vora::ui
