#pragma once
// What the user has chosen so far in the fine-tune wizard, shared by its pages (each page writes its
// part; later pages read earlier parts). Value type, GUI thread.
#include "app/finetune/base_model_info.h"
#include "app/finetune/data_check.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace vora::ui {

struct WizardState {
    std::optional<vora::app::BaseModelInfo> base;
    QString dataFile;
    QString imageRoot; // empty: the data file's folder
    std::optional<vora::app::DataCheckSummary> check;
    // Validation: a separate file (--val-data), else this percentage of the data held out (--val-share).
    QString validationFile;
    int validationPercent = 5;
    QJsonObject values; // train option values (flag -> value) for TrainOptionCatalog::arguments
    qint64 trainJobId = 0; // the training the run page follows; 0 before it is queued
};

} // namespace vora::ui
