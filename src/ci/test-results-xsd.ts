// The schema of the test-results payload, served at GET .../test-results/xsd. It describes what
// parseTestResults accepts (test-results-xml.ts); the two are kept together.

export const TEST_RESULTS_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Test results payload accepted by octane-emulator at POST .../test-results -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">

  <xs:element name="test_result">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="build" type="buildType" minOccurs="0"/>
        <xs:group ref="contextGroup"/>
        <xs:element name="test_runs" type="testRunsType"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>

  <xs:complexType name="buildType">
    <xs:attribute name="server_id" type="xs:string"/>
    <xs:attribute name="job_id" type="xs:string"/>
    <xs:attribute name="job_name" type="xs:string"/>
    <xs:attribute name="build_id" type="xs:string"/>
    <xs:attribute name="build_name" type="xs:string"/>
    <xs:attribute name="sub_type" type="xs:string"/>
  </xs:complexType>

  <!-- Links of the runs: for all runs of the payload, or per run inside test_run -->
  <xs:group name="contextGroup">
    <xs:sequence>
      <xs:choice minOccurs="0">
        <xs:element name="release" type="refType"/>
        <xs:element name="release_ref" type="refType"/>
      </xs:choice>
      <xs:choice minOccurs="0">
        <xs:element name="milestone" type="refType"/>
        <xs:element name="milestone_ref" type="refType"/>
      </xs:choice>
      <xs:element name="product_areas" minOccurs="0">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="product_area_ref" type="idRefType" maxOccurs="unbounded"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="backlog_items" minOccurs="0">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="backlog_item_ref" type="idRefType" maxOccurs="unbounded"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="environment" minOccurs="0">
        <xs:complexType>
          <xs:choice maxOccurs="unbounded">
            <xs:element name="taxonomy" type="typedValueType"/>
            <xs:element name="taxonomy_ref" type="idRefType"/>
          </xs:choice>
        </xs:complexType>
      </xs:element>
      <xs:element name="test_fields" minOccurs="0">
        <xs:complexType>
          <xs:choice maxOccurs="unbounded">
            <xs:element name="test_field" type="testFieldType"/>
            <xs:element name="test_field_ref" type="idRefType"/>
          </xs:choice>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:group>

  <!-- A release or milestone by id, or by name -->
  <xs:complexType name="refType">
    <xs:attribute name="id" type="xs:string"/>
    <xs:attribute name="name" type="xs:string"/>
  </xs:complexType>

  <xs:complexType name="idRefType">
    <xs:attribute name="id" type="xs:string" use="required"/>
  </xs:complexType>

  <!-- An environment value: type is the category (OS, Browser, DB, ...), value the item -->
  <xs:complexType name="typedValueType">
    <xs:attribute name="type" type="xs:string" use="required"/>
    <xs:attribute name="value" type="xs:string" use="required"/>
  </xs:complexType>

  <xs:complexType name="testFieldType">
    <xs:attribute name="type" use="required">
      <xs:simpleType>
        <xs:restriction base="xs:string">
          <xs:enumeration value="Test_Level"/>
          <xs:enumeration value="Test_Type"/>
          <xs:enumeration value="Testing_Tool_Type"/>
          <xs:enumeration value="Framework"/>
        </xs:restriction>
      </xs:simpleType>
    </xs:attribute>
    <xs:attribute name="value" type="xs:string" use="required"/>
  </xs:complexType>

  <xs:simpleType name="statusType">
    <xs:restriction base="xs:string">
      <xs:enumeration value="Passed"/>
      <xs:enumeration value="Failed"/>
      <xs:enumeration value="Skipped"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:complexType name="testRunsType">
    <xs:choice minOccurs="0" maxOccurs="unbounded">
      <xs:element name="test_run" type="testRunType"/>
      <xs:element name="gherkin_test_run" type="gherkinTestRunType"/>
    </xs:choice>
  </xs:complexType>

  <xs:complexType name="errorType">
    <xs:simpleContent>
      <xs:extension base="xs:string">
        <xs:attribute name="type" type="xs:string"/>
        <xs:attribute name="message" type="xs:string"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>

  <xs:complexType name="testRunType">
    <xs:sequence>
      <xs:element name="error" type="errorType" minOccurs="0"/>
      <xs:element name="description" type="xs:string" minOccurs="0"/>
      <xs:group ref="contextGroup"/>
    </xs:sequence>
    <!-- an automated test is identified by module + package + class + name -->
    <xs:attribute name="module" type="xs:string"/>
    <xs:attribute name="package" type="xs:string"/>
    <xs:attribute name="class" type="xs:string"/>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="status" type="statusType" use="required"/>
    <!-- milliseconds -->
    <xs:attribute name="duration" type="xs:nonNegativeInteger"/>
    <!-- epoch milliseconds -->
    <xs:attribute name="started" type="xs:nonNegativeInteger"/>
    <xs:attribute name="run_type" type="xs:string"/>
    <xs:attribute name="external_report_url" type="xs:string"/>
    <xs:attribute name="external_test_id" type="xs:string"/>
    <xs:attribute name="external_run_id" type="xs:string"/>
  </xs:complexType>

  <xs:complexType name="gherkinTestRunType">
    <xs:sequence>
      <xs:element name="feature" minOccurs="0">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="file" type="xs:string" minOccurs="0"/>
            <xs:element name="scenarios" minOccurs="0">
              <xs:complexType>
                <xs:sequence>
                  <xs:element name="scenario" maxOccurs="unbounded">
                    <xs:complexType>
                      <xs:sequence>
                        <xs:element name="steps" minOccurs="0">
                          <xs:complexType>
                            <xs:sequence>
                              <xs:element name="step" maxOccurs="unbounded">
                                <xs:complexType>
                                  <xs:attribute name="name" type="xs:string"/>
                                  <xs:attribute name="status" type="xs:string"/>
                                  <xs:attribute name="duration" type="xs:nonNegativeInteger"/>
                                </xs:complexType>
                              </xs:element>
                            </xs:sequence>
                          </xs:complexType>
                        </xs:element>
                      </xs:sequence>
                      <xs:attribute name="name" type="xs:string"/>
                      <xs:attribute name="status" type="xs:string"/>
                    </xs:complexType>
                  </xs:element>
                </xs:sequence>
              </xs:complexType>
            </xs:element>
          </xs:sequence>
          <xs:attribute name="name" type="xs:string"/>
          <xs:attribute name="path" type="xs:string"/>
          <xs:attribute name="started" type="xs:nonNegativeInteger"/>
          <xs:attribute name="tag" type="xs:string"/>
        </xs:complexType>
      </xs:element>
      <xs:element name="error" type="errorType" minOccurs="0"/>
      <xs:element name="description" type="xs:string" minOccurs="0"/>
      <xs:group ref="contextGroup"/>
    </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="status" type="statusType" use="required"/>
    <xs:attribute name="duration" type="xs:nonNegativeInteger"/>
    <xs:attribute name="started" type="xs:nonNegativeInteger"/>
  </xs:complexType>
</xs:schema>
`;
