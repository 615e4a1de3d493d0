#include "app/finetune/train_option_catalog.h"

#include "app/finetune/job_error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>

#include <charconv>
#include <cmath>

namespace vora::app {
namespace {

const QStringList kKnownTypes = {QStringLiteral("path"),    QStringLiteral("text"),   QStringLiteral("choice"),
                                 QStringLiteral("integer"), QStringLiteral("number"), QStringLiteral("switch"),
                                 QStringLiteral("path_list"), QStringLiteral("choice_list")};

std::optional<double> optionalNumber(const QJsonObject& entry, const char* key)
{
    const QJsonValue value = entry.value(QLatin1String(key));
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

TrainOptionInfo optionFrom(const QJsonObject& entry, const QString& where)
{
    TrainOptionInfo option;
    option.flag = entry.value(QStringLiteral("flag")).toString();
    option.type = entry.value(QStringLiteral("type")).toString();
    if (option.flag.isEmpty() || !kKnownTypes.contains(option.type)) {
        throw JobError(QStringLiteral("%1: an option without a flag or with an unknown type \"%2\"").arg(where, option.type));
    }
    option.group = entry.value(QStringLiteral("group")).toString();
    option.valueName = entry.value(QStringLiteral("value_name")).toString();
    option.help = entry.value(QStringLiteral("help")).toString();
    option.defaultValue = entry.value(QStringLiteral("default"));
    option.required = entry.value(QStringLiteral("required")).toBool();
    option.repeatable = entry.value(QStringLiteral("repeatable")).toBool();
    option.saved = entry.value(QStringLiteral("saved")).toBool(true);
    for (const QJsonValue& choice : entry.value(QStringLiteral("choices")).toArray()) {
        option.choices.push_back(choice.toString());
    }
    option.min = optionalNumber(entry, "min");
    option.max = optionalNumber(entry, "max");
    option.minExclusive = entry.value(QStringLiteral("min_exclusive")).toBool();
    return option;
}

// The shortest text that reads back as the same double, in %g style ("0.0005", "1e-05").
QString numberText(double value, bool integer)
{
    if (integer) {
        return QString::number(static_cast<qint64>(value));
    }
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, value, std::chars_format::general).ptr;
    return QString::fromLatin1(text, end - text);
}

[[noreturn]] void refuse(const TrainOptionInfo& option, const QString& problem)
{
    throw JobError(QStringLiteral("--%1: %2").arg(option.flag, problem));
}

QString numberArgument(const TrainOptionInfo& option, const QJsonValue& value)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble())) {
        refuse(option, QStringLiteral("expected a number"));
    }
    const double number = value.toDouble();
    const bool integer = option.type == QLatin1String("integer");
    if (integer && number != std::floor(number)) {
        refuse(option, QStringLiteral("expected a whole number, not %1").arg(number));
    }
    const bool belowMin = option.min && (option.minExclusive ? number <= *option.min : number < *option.min);
    if (belowMin || (option.max && number > *option.max)) {
        refuse(option, QStringLiteral("%1 is outside %2%3, %4]")
                           .arg(numberText(number, integer), option.minExclusive ? QStringLiteral("(") : QStringLiteral("["),
                                option.min ? numberText(*option.min, integer) : QStringLiteral("-inf"),
                                option.max ? numberText(*option.max, integer) : QStringLiteral("inf")));
    }
    return numberText(number, integer);
}

QString textArgument(const TrainOptionInfo& option, const QJsonValue& value)
{
    const QString text = value.toString();
    if (!value.isString() || text.isEmpty()) {
        refuse(option, QStringLiteral("expected a non-empty text"));
    }
    if (!option.choices.isEmpty() && !option.choices.contains(text)) {
        refuse(option, QStringLiteral("\"%1\" is not one of %2").arg(text, option.choices.join(QStringLiteral(", "))));
    }
    return text;
}

QStringList listItems(const TrainOptionInfo& option, const QJsonValue& value)
{
    const QJsonArray items = value.isArray() ? value.toArray() : QJsonArray{value};
    QStringList texts;
    for (const QJsonValue& item : items) {
        texts.push_back(textArgument(option, item));
    }
    return texts;
}

// The flag and its value(s) for one chosen value; empty for a switch that is off or an empty list.
QStringList argumentsFor(const TrainOptionInfo& option, const QJsonValue& value)
{
    const QString flag = QStringLiteral("--") + option.flag;
    if (option.type == QLatin1String("switch")) {
        if (!value.isBool()) {
            refuse(option, QStringLiteral("expected true or false"));
        }
        return value.toBool() ? QStringList{flag} : QStringList{};
    }
    if (option.type == QLatin1String("integer") || option.type == QLatin1String("number")) {
        return {flag, numberArgument(option, value)};
    }
    if (option.type == QLatin1String("path_list")) {
        QStringList result;
        for (const QString& item : listItems(option, value)) {
            result << flag << item;
        }
        return result;
    }
    if (option.type == QLatin1String("choice_list")) {
        const QStringList items = listItems(option, value);
        return items.isEmpty() ? QStringList{} : QStringList{flag, items.join(QLatin1Char(','))};
    }
    return {flag, textArgument(option, value)};
}

} // namespace

TrainOptionCatalog TrainOptionCatalog::fromJson(const QByteArray& json, const QString& source)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    const QJsonValue options = document.object().value(QStringLiteral("options"));
    if (error.error != QJsonParseError::NoError || !options.isArray()) {
        throw JobError(QStringLiteral("%1: expected {\"options\": [...]}%2")
                           .arg(source, error.error != QJsonParseError::NoError ? QStringLiteral(" (") + error.errorString() + QStringLiteral(")")
                                                                                : QString()));
    }
    TrainOptionCatalog catalog;
    int index = 0;
    for (const QJsonValue& entry : options.toArray()) {
        catalog.m_options.push_back(optionFrom(entry.toObject(), QStringLiteral("%1: options[%2]").arg(source).arg(index++)));
    }
    return catalog;
}

TrainOptionCatalog TrainOptionCatalog::load(const QString& voraExecutable)
{
    QProcess process;
    process.start(voraExecutable, {QStringLiteral("train"), QStringLiteral("--options-json")});
    const QString command = voraExecutable + QStringLiteral(" train --options-json");
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        throw JobError(QStringLiteral("%1 failed: %2 %3")
                           .arg(command, process.errorString(), QString::fromUtf8(process.readAllStandardError()).trimmed()));
    }
    return fromJson(process.readAllStandardOutput(), command);
}

const TrainOptionInfo* TrainOptionCatalog::find(const QString& flag) const
{
    for (const TrainOptionInfo& option : m_options) {
        if (option.flag == flag) {
            return &option;
        }
    }
    return nullptr;
}

QStringList TrainOptionCatalog::arguments(const QJsonObject& values) const
{
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!find(it.key())) {
            throw JobError(QStringLiteral("--%1: `vora train` has no such option").arg(it.key()));
        }
    }
    QStringList result = {QStringLiteral("train")};
    for (const TrainOptionInfo& option : m_options) {
        const QJsonValue value = values.value(option.flag);
        if (value.isUndefined() || value.isNull()) {
            if (option.required) {
                refuse(option, QStringLiteral("required, but no value was given"));
            }
            continue;
        }
        result += argumentsFor(option, value);
    }
    return result;
}

QString shellCommandLine(const QString& program, const QStringList& arguments)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    QStringList words;
    for (const QString& word : QStringList{program} + arguments) {
        if (plain.match(word).hasMatch()) {
            words.push_back(word);
        } else {
            QString quoted = word;
            quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
            words.push_back(QLatin1Char('\'') + quoted + QLatin1Char('\''));
        }
    }
    return words.join(QLatin1Char(' '));
}

} // namespace vora::app
