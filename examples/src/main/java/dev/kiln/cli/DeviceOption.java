package dev.kiln.cli;

import dev.kiln.train.Devices;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --device} for the commands that run a local model ({@code generate}, {@code eval}, {@code serve}). */
final class DeviceOption {

    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "auto|cpu|cuda|cuda:N",
            converter = Name.class,
            description = "Where a local model runs (default ${DEFAULT-VALUE}: the first CUDA GPU when the loaded"
                    + " libtorch sees one, else the CPU). cuda without a reachable GPU is an error, never a silent"
                    + " CPU run; ignored for http(s):// models.")
    String device;

    /** The provider options for {@code LanguageModels.open}, plus {@code device}. */
    Map<String, String> options(Map<String, String> others) {
        Map<String, String> all = new java.util.HashMap<>(others);
        all.put("device", device);
        return all;
    }

    Map<String, String> options() {
        return options(Map.of());
    }

    /** Checks the name at parse time, before any model is read. */
    static final class Name implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Devices.normalize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
