package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Exit codes are an interface: the README's table lists exactly the codes the program has. */
class ExitCodeDocsTest {
    @Test
    void theReadmeTableListsEveryExitCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Exit codes"), readme.indexOf("## How a backup works"));
        Set<Integer> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(table);
        while (m.find()) {
            documented.add(Integer.parseInt(m.group(1)));
        }
        assertThat(documented).isEqualTo(Arrays.stream(ExitCode.values()).map(ExitCode::code)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
